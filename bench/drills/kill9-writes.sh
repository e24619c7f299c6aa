#!/usr/bin/env bash
# Acknowledged writes survive kill -9: the CI drill (tests/Campaigns.Tests/Drills/AcknowledgedWritesDrill.cs) with
# more kills. Prints "N kills: A writes attempted, B acknowledged, 0 lost" or fails naming the lost campaigns.
#   bench/drills/kill9-writes.sh [KILLS]      # default 25
set -euo pipefail
cd "$(dirname "$0")/../.."
DRILL_KILLS="${1:-25}" dotnet test tests/Campaigns.Tests -c Release --filter "FullyQualifiedName~AcknowledgedWritesDrill" \
  --logger "console;verbosity=detailed" -nologo | grep -E "kills:|Passed|Failed|lost"
