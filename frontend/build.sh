#!/usr/bin/env bash
# Rebuild Daybook's compiled GOV.UK Frontend assets into ../static/govuk/.
# Needs Node.js and npm; running and testing Daybook do not.
set -euo pipefail
cd "$(dirname "$0")"
out=../static/govuk
npm ci --no-audit --no-fund
rm -rf "$out"
mkdir -p "$out"
npx sass --quiet-deps --silence-deprecation=import --no-source-map --style=compressed --load-path=. daybook.scss "$out/daybook.css"
# The source map is not shipped, so its reference is dropped.
sed "s|//# sourceMappingURL=.*||" node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js > "$out/govuk-frontend.min.js"
# No images are copied: the ones GOV.UK Frontend ships are GOV.UK's brand.
ls -l "$out"
