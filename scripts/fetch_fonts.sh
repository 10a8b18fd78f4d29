#!/usr/bin/env bash
# Copy the Korean subset of Noto Sans KR (weights 400 and 700, woff2) and its licence from the npm package
# @fontsource/noto-sans-kr into static/fonts/, so the app serves the font itself (no request to a font CDN).
# The files are committed; rerun this only to update the font.  Usage: scripts/fetch_fonts.sh [version]
set -euo pipefail
VERSION="${1:-5.3.0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/static/fonts"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "@fontsource/noto-sans-kr@$VERSION" >/dev/null && tar xzf ./*.tgz)
mkdir -p "$DEST"
for weight in 400 700; do
  cp "$WORK/package/files/noto-sans-kr-korean-$weight-normal.woff2" "$DEST/"
done
cp "$WORK/package/LICENSE" "$DEST/OFL.txt"
cat > "$DEST/README.md" <<TXT
# Noto Sans KR (self-hosted)

Korean subset (Hangul and CJK symbols), weights 400 and 700, woff2, from the npm package
\`@fontsource/noto-sans-kr@$VERSION\` (https://fontsource.org/fonts/noto-sans-kr), copied by
\`scripts/fetch_fonts.sh\`. Font: Noto Sans KR by Google, SIL Open Font License 1.1 (OFL.txt).
Declared in \`.streamlit/config.toml\` ([[theme.fontFaces]], limited to Hangul code points with unicodeRange,
so Latin text keeps the app's usual font) and named in the Plotly font stack (kdefense/charts.py).
TXT
ls -l "$DEST"
