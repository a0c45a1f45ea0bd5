#!/bin/sh
# Install the built bundle (dist/newsdesk) for the current user, or for everyone with --system:
# the program folder, a `newsdesk` command, the desktop entry, AppStream metadata and icons.
# Uninstall with --uninstall (libraries are never touched: they hold the newsroom's work).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bundle="$root/dist/newsdesk"
app_id=org.newsdesk.Newsdesk

if [ "${1:-}" = "--system" ] || [ "${2:-}" = "--system" ]; then
  prefix=/usr/local; opt=/opt/newsdesk; share="$prefix/share"
else
  prefix="$HOME/.local"; opt="$prefix/opt/newsdesk"; share="${XDG_DATA_HOME:-$prefix/share}"
fi

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$opt"
  rm -f "$prefix/bin/newsdesk" "$share/applications/$app_id.desktop" \
    "$share/metainfo/$app_id.metainfo.xml" "$share/icons/hicolor/scalable/apps/$app_id.svg"
  for size in 16 32 48 64 128 256 512; do
    rm -f "$share/icons/hicolor/${size}x${size}/apps/$app_id.png"
  done
  echo "newsdesk removed from $prefix (libraries were left where they are)."
  exit 0
fi

[ -x "$bundle/newsdesk" ] || { echo "No bundle at $bundle: run \`make package\` first." >&2; exit 1; }

# Copy to a fresh folder, then swap it in, so a failed copy never leaves half a program.
mkdir -p "$(dirname "$opt")" "$prefix/bin" "$share/applications" "$share/metainfo"
rm -rf "$opt.new"
cp -a "$bundle" "$opt.new"
rm -rf "$opt"
mv "$opt.new" "$opt"
ln -sf "$opt/newsdesk" "$prefix/bin/newsdesk"

install -m 644 "$here/$app_id.desktop" "$share/applications/$app_id.desktop"
install -m 644 "$here/$app_id.metainfo.xml" "$share/metainfo/$app_id.metainfo.xml"
install -D -m 644 "$root/resources/icons/newsdesk.svg" "$share/icons/hicolor/scalable/apps/$app_id.svg"
for size in 16 32 48 64 128 256 512; do
  install -D -m 644 "$root/resources/icons/newsdesk-$size.png" \
    "$share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$share/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$share/icons/hicolor" || true

echo "newsdesk installed in $opt; start it from the applications menu or run: $prefix/bin/newsdesk"
