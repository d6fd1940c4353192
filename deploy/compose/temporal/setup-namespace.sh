#!/bin/sh
# Creates the namespace and registers infoshare's search attributes (what approvers
# filter on in the Temporal UI), leaving whatever exists alone. Runs in the
# temporalio/admin-tools image; the same commands work on any cluster (docs/operators/deployment.md).
set -eu

ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
RETENTION=${TEMPORAL_RETENTION:-8760h}

tries=0
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -ge 60 ] && { echo "Temporal at $ADDRESS is not healthy" >&2; exit 1; }
    sleep 2
done

temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" \
    >/dev/null 2>&1 ||
    temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" \
        --address "$ADDRESS"

# workflows/search_attributes.py: name=type
existing=$(temporal operator search-attribute list --namespace "$NAMESPACE" --address "$ADDRESS")
for pair in IspState=Keyword IspAwaiting=KeywordList IspPartners=KeywordList \
    IspCaseworker=Keyword IspNextReview=Datetime IspOverdueSince=Datetime; do
    name=${pair%%=*}
    type=${pair#*=}
    if echo "$existing" | grep -qw "$name"; then
        echo "search attribute $name exists"
    else
        temporal operator search-attribute create --namespace "$NAMESPACE" \
            --name "$name" --type "$type" --address "$ADDRESS"
    fi
done
echo "namespace $NAMESPACE ready"
