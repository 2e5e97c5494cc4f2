#!/bin/sh
# wait-ready.sh PORT SECONDS: exits 0 as soon as the server on 127.0.0.1:PORT answers /readyz with
# 200, 1 if it has not within SECONDS. Used by pingan-server@ (start) and pingan-health@ (watch).
port=$1
seconds=${2:-60}
i=0
while [ "$i" -lt "$((seconds * 2))" ]; do
  if curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$port/readyz"; then exit 0; fi
  sleep 0.5
  i=$((i + 1))
done
echo "pingan-server on port $port not ready after ${seconds}s" >&2
exit 1
