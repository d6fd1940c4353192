#!/bin/sh
# Makes env/*.env from env/*.env.example with fresh random passwords, keys and tokens
# (each "change-me-..." placeholder becomes a random value, the same one wherever the
# same placeholder appears). Existing env/*.env files are left alone. Then edit
# env/sso.env (your identity provider) and env/infoshare.env (mail).
set -eu
cd "$(dirname "$0")/env"

secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }
key() { python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'; }

temporal_db=$(secret)
register_db=$(secret)
codec_token=$(secret)
codec_key=$(key)
pseudonym_key=$(key)
codec_key_id=$(date +%Y-%m)
cookie=$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')

for example in *.env.example; do
    target=${example%.example}
    if [ -e "$target" ]; then
        echo "env/$target exists: left alone"
        continue
    fi
    sed -e "s|change-me-temporal-db|$temporal_db|g" \
        -e "s|change-me-register-db|$register_db|g" \
        -e "s|change-me-codec-token|$codec_token|g" \
        -e "s|change-me-base64-of-32-random-bytes|$codec_key|g" \
        -e "s|change-me-pseudonym-key|$pseudonym_key|g" \
        -e "s|change-me-key-id|$codec_key_id|g" \
        -e "s|change-me-cookie-secret|$cookie|g" \
        "$example" >"$target"
    chmod 600 "$target"
    echo "env/$target written"
done
