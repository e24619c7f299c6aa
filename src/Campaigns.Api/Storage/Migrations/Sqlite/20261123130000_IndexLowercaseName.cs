using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Campaigns.Api.Storage.Migrations.Sqlite
{
    /// <summary>
    /// The canonical top-up removes retired campaigns by key or by name, case-insensitively, at every start and after
    /// every restore; without this index that is a scan of the whole table (1.5 s for 1.7 million campaigns). An index
    /// on an expression is not part of the EF model, so it is written here by hand and the model snapshot is unchanged.
    /// </summary>
    [DbContext(typeof(SqliteCampaignsDbContext))]
    [Migration("20261123130000_IndexLowercaseName")]
    public partial class IndexLowercaseName : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("CREATE INDEX \"IX_campaigns_lower_Name\" ON \"campaigns\" (lower(\"Name\"));");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("DROP INDEX \"IX_campaigns_lower_Name\";");
    }
}
