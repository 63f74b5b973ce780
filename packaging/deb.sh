#!/usr/bin/env bash
# Builds the Debian package with dpkg-deb (Debian's own tools only, no debhelper):
#   packaging/deb.sh [OUTDIR]   ->  OUTDIR/recguard_<version>_<arch>.deb (default: the build dir)
# A release build in RG_DEB_BUILD_DIR (default build-deb/; only the installed programs), installed with prefix /usr into a
# staging root, plus DEBIAN/ from packaging/debian: control with the shared-library dependencies
# dpkg-shlibdeps finds, conffiles, maintainer scripts. Prints the path of the .deb.
# RG_DEB_VERSION overrides the version (default 0.1.0+git<commit date>.<commit>).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
bdir=${RG_DEB_BUILD_DIR:-$src/build-deb}
out=${1:-$bdir}
jobs=${JOBS:-2}

version=${RG_DEB_VERSION:-}
if [ -z "$version" ]; then
  version=0.1.0
  if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    version+="+git$(git -C "$src" log -1 --format=%cd.%h --date=format:%Y%m%d)"
  fi
fi
arch=$(dpkg --print-architecture)

cmake -S "$src" -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$bdir" -j"$jobs" --target rg_programs >/dev/null

# dpkg-shlibdeps wants the files under debian/<package>/ of a directory holding debian/control.
work=$(mktemp -d "$bdir/deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage=$work/debian/recguard
DESTDIR=$stage cmake --install "$bdir" --prefix /usr --strip >/dev/null
printf 'Source: recguard\n\nPackage: recguard\nArchitecture: any\n' > "$work/debian/control"
mkdir -p "$stage/DEBIAN" # also how dpkg-shlibdeps finds the package root
progs=()
for p in "$stage"/usr/bin/*; do progs+=("-edebian/recguard/usr/bin/${p##*/}"); done
shlibs=$(cd "$work" && dpkg-shlibdeps -O "${progs[@]}")
# The raw-CDR sertype uses Cyclone DDS internals of the 0.10 series (src/dds/rdds_sertype.h):
# pin that series instead of the library's own minimum.
depends=$(echo "${shlibs#shlibs:Depends=}" | sed -E 's/libddsc0debian \([^)]*\)/libddsc0debian (>= 0.10), libddsc0debian (<< 0.11)/')
case $depends in *"libddsc0debian (<< 0.11)"*) ;; *) echo "deb: no libddsc0debian in $shlibs" >&2; exit 1 ;; esac

install -m 0644 packaging/debian/copyright "$stage/usr/share/doc/recguard/copyright"
install -m 0644 packaging/debian/conffiles "$stage/DEBIAN/conffiles"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$stage/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
  packaging/debian/control.in > "$stage/DEBIAN/control"
for f in $(cd "$stage/DEBIAN" && cat conffiles); do
  [ -f "$stage$f" ] || { echo "deb: conffile $f is not in the package" >&2; exit 1; }
done

mkdir -p "$out"
deb=$out/recguard_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
