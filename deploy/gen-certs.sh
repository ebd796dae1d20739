#!/usr/bin/env bash
# Certificates for mutual TLS between wuyeflow and its Temporal server (see deploy/README.md).
#
#   deploy/gen-certs.sh [DIR]        # default DIR: deploy/certs
#
# Writes a private CA (ca.pem, ca.key), the Temporal server's certificate (temporal.pem,
# temporal.key; names "temporal" and "localhost") and one client certificate each for the API,
# the worker and the operators' tools (api.pem/.key, worker.pem/.key, admin.pem/.key). Temporal
# accepts only clients whose certificate this CA signed. An existing file is kept, so running the
# script again changes nothing; delete DIR (or one pair) to issue anew, then restart the stack.
set -euo pipefail

DIR="${1:-$(dirname "$0")/certs}"
DAYS="${CERT_DAYS:-825}"
mkdir -p "$DIR"
cd "$DIR"

if [ ! -f ca.pem ]; then
  openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 3650 -keyout ca.key -out ca.pem \
    -subj "/O=wuyeflow/CN=wuyeflow Temporal CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 600 ca.key
fi

issue() {  # issue NAME EXTENDED_KEY_USAGE SUBJECT_ALT_NAMES
  local name=$1 usage=$2 sans=$3
  [ -f "$name.pem" ] && return 0
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$name.key" -out "$name.csr" \
    -subj "/O=wuyeflow/CN=$name" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
    "$usage" "$sans" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days "$DAYS" \
    -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
  chmod 600 "$name.key"
}

# The server presents this to clients and to its own services (internode).
issue temporal "serverAuth,clientAuth" "DNS:temporal,DNS:localhost,IP:127.0.0.1"
issue api clientAuth "DNS:api"
issue worker clientAuth "DNS:worker"
issue admin clientAuth "DNS:admin"
echo "certificates in $(pwd)"
