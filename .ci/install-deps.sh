#!/usr/bin/env bash
# Installs the Debian 12 packages dbchange needs to build, test and run its demo.
set -u
export DEBIAN_FRONTEND=noninteractive
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
need=""
for p in build-essential pkg-config postgresql-15 postgresql-client-15 postgresql-server-dev-15 libpq-dev \
	liblua5.4-dev libmariadb-dev mariadb-server mariadb-client valgrind python3; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
	echo "installing:$need"
	$SUDO apt-get update -qq >/dev/null || exit 1
	$SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null || exit 1
fi
# Debian's packaged clusters/servers are not used; stop them if a package started them.
if command -v pg_lsclusters >/dev/null; then
	pg_lsclusters -h 2>/dev/null | while read -r ver name _; do $SUDO pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1; done
fi
exit 0
