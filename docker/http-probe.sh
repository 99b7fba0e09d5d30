#!/bin/sh
# The HEALTHCHECK of the images without Node (NATS, Prometheus): exits 0 when
# GET http://127.0.0.1:<port><path> answers 2xx within 3 s. Uses wget where the image has it
# (the official Prometheus image), else bash's /dev/tcp (Debian has bash, not curl or wget).
#
#   http-probe.sh <port> <path>
port="$1"
path="$2"
if command -v wget >/dev/null 2>&1; then
  exec wget -q -T 3 -O /dev/null "http://127.0.0.1:${port}${path}"
fi
exec timeout 3 bash -c '
  exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
  printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$1" >&3
  IFS=" " read -r _ status _ <&3
  case "$status" in 2??) exit 0 ;; *) echo "GET $1: ${status:-no answer}" >&2; exit 1 ;; esac
' "$port" "$path"
