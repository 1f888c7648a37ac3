#!/usr/bin/env bash
# Rebuild Daybook's compiled GOV.UK Frontend assets into ../static/govuk/.
# Needs Node.js and npm (packages come from the npm registry only); running and testing
# Daybook do not.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

dist=node_modules/govuk-frontend/dist/govuk
out=../static/govuk

# --ignore-scripts: nothing needs an install script (sass is plain JavaScript), so none runs.
npm ci --no-audit --no-fund --ignore-scripts

rm -rf "$out"
mkdir -p "$out/images"

node_modules/.bin/sass --load-path=node_modules --quiet-deps --silence-deprecation=import --no-source-map \
  --style=compressed daybook.scss "$out/daybook.css"

# The source map is not shipped, so the reference to it is dropped.
sed 's|//# sourceMappingURL=[^ ]*$||' "$dist/govuk-frontend.min.js" > "$out/govuk-frontend.min.js"

# Copy only images that are not GOV.UK's brand: the crown and crest, GOV.UK's favicons,
# app and touch icons, its manifest icons and its Open Graph image are all reserved for
# GOV.UK. (In 6.0.0 every image in the package is one of these, so none is copied.)
manifest_icons=$(node -e '
  const m = require("./'"$dist"'/assets/manifest.json");
  for (const i of m.icons || []) console.log(i.src.split("/").pop());
' 2>/dev/null || true)
for image in "$dist"/assets/images/*; do
  [ -f "$image" ] || continue
  name=$(basename "$image")
  case "$name" in
    govuk-* | *crown* | *crest* | favicon* | apple-touch-icon* | *opengraph*) continue ;;
  esac
  if grep -qxF "$name" <<<"$manifest_icons"; then continue; fi
  cp "$image" "$out/images/$name"
done

echo "Wrote:"
find "$out" -print0 | sort -z | xargs -0 ls -ld
