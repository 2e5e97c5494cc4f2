#!/bin/sh
# render-nginx.sh LISTEN HOST:PORT... > /etc/nginx/conf.d/pingan.conf
# Fills deploy/nginx/pingan.conf.template: LISTEN is what nginx listens on (80, or 10.0.0.2:80),
# then one upstream server per pingan-server@ instance, e.g.
#   deploy/render-nginx.sh 80 127.0.0.1:3001 127.0.0.1:3002 > /etc/nginx/conf.d/pingan.conf
#   nginx -t && systemctl reload nginx
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 LISTEN HOST:PORT..." >&2
  exit 2
fi
listen=$1
shift
servers=""
for s in "$@"; do
  servers="${servers}    server ${s} max_fails=2 fail_timeout=10s;
"
done
awk -v listen="$listen" -v servers="$servers" '
  $0 == "@SERVERS@" { printf "%s", servers; next }
  { gsub(/@LISTEN@/, listen); print }
' "$(dirname "$0")/nginx/pingan.conf.template"
