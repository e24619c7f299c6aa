# syntax=docker/dockerfile:1
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Campaigns.Api/Campaigns.Api.csproj src/Campaigns.Api/
COPY src/Campaigns.Seed/Campaigns.Seed.csproj src/Campaigns.Seed/
RUN dotnet restore src/Campaigns.Seed/Campaigns.Seed.csproj -a $TARGETARCH -p:PublishReadyToRun=true
COPY seed-data/ seed-data/
COPY src/ src/
# The CLI first (framework-dependent, on the image's runtime). Then the service, self-contained with one composite
# ReadyToRun image of it and the framework: cross-assembly generics precompiled too, about a third less CPU to the
# first 200, which is each deploy's downtime (docs/benchmarks.md, issue 12); bench/start.sh builds it the same way.
# Its own restore (the runtime packs), after the CLI's, which restored the same project framework-dependent.
RUN dotnet publish src/Campaigns.Seed/Campaigns.Seed.csproj -c Release -a $TARGETARCH --no-restore --self-contained false -o /app/tools \
 && dotnet publish src/Campaigns.Api/Campaigns.Api.csproj -c Release -a $TARGETARCH --self-contained true \
      -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o /app/api

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/api ./
COPY --from=build /app/tools ./tools/
# The database a new volume starts from (Seeding/SeedTemplate): this build's migrations and canonical campaigns, made by
# the CLI on the image's own runtime, so a first start copies a small file instead of paying EF Core's first use
# (docs/benchmarks.md, issue 12). A start that finds it unfit (another canonical file) builds the database itself.
# bench/start.sh makes it the same way.
RUN dotnet tools/campaigns-seed.dll seed-template --out /app/seed-data/campaigns.template.db
# No DATA_DIR here: an image default would count as the operator's choice and hide Railway's volume. The data directory
# is RAILWAY_VOLUME_MOUNT_PATH when a volume is attached (at any mount path), else ./data under /app (/app/data); an
# explicit DATA_DIR set on the service still wins, and a start then refuses if the volume is mounted elsewhere.
# Railway mounts the volume at run time (not at build time), owned by root. This image runs as root; if you switch to
# a non-root USER, set RAILWAY_RUN_UID=0 on the service or the volume will not be writable.
# Before a deploy, or in the running container: dotnet /app/tools/campaigns-seed.dll doctor
ENV ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_gcServer=0
RUN mkdir -p /app/data
EXPOSE 8080
ENTRYPOINT ["./Campaigns.Api"]
