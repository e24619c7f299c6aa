// Two folders that use each other only inside method bodies: NamespaceCycleTests reads this assembly to show that
// such a cycle is found and its types named.
namespace Campaigns.Tests.Architecture.CycleFixture.Ordering
{
    public static class Order
    {
        public static int Total() => Pricing.Price.Of(2);
    }
}

namespace Campaigns.Tests.Architecture.CycleFixture.Pricing
{
    public static class Price
    {
        public static int Of(int quantity) => quantity * 10;

        public static string Describe() => nameof(Ordering.Order) + Ordering.Order.Total();
    }
}
