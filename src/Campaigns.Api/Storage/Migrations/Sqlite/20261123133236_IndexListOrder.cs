using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Campaigns.Api.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IndexListOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_campaigns_Active_Priority_Name_Id",
                table: "campaigns",
                columns: new[] { "Active", "Priority", "Name", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_campaigns_Priority_Name_Id",
                table: "campaigns",
                columns: new[] { "Priority", "Name", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_campaigns_Active_Priority_Name_Id",
                table: "campaigns");

            migrationBuilder.DropIndex(
                name: "IX_campaigns_Priority_Name_Id",
                table: "campaigns");
        }
    }
}
