#!/usr/bin/env bash
# Smoke test of the compose stack, for users with Docker: starts a session, issues a directive that
# covers it, waits for its REVOKE on revocation-commands, and verifies the audit chain in PostgreSQL.
# With the caep profile running and CAEP_SOC_TOKEN set, it also polls the session-revoked SET (RFC 8936).
#
#   export POSTGRES_PASSWORD=… CORDON_AUDIT_PASSWORD=…
#   ./cordon token new --principal smoke --roles issuer   # note "token:" and "config:"
#   export CORDON_INGEST_AUTH_TOKENS='<config line>' CORDON_TOKEN='<token>'
#   ./cordon signing-key new    # export CORDON_INGEST_SIGNING_PRIVATE_KEY, CORDON_INGEST_SIGNING_KEY_ID and
#                               # CORDON_DIRECTIVE_TRUSTED_KEYS from its three values (see docker-compose.yml)
#   docker compose up --build -d                  # optionally: --profile caep, with CAEP_SOC_TOKEN_SHA256
#   scripts/compose-smoke.sh
#
# Exits 0 when every step passed; prints what failed otherwise. Needs docker compose and curl.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${CORDON_TOKEN:?set CORDON_TOKEN to the bearer token whose hash is in CORDON_INGEST_AUTH_TOKENS}"
INGEST="${INGEST_URL:-http://127.0.0.1:8080}"
CAEP="${CAEP_URL:-http://127.0.0.1:8090}"
run_id="$(date +%s)"
session="smoke-s-$run_id"
directive="SMOKE-$run_id"
resource="smoke-model-$run_id"
dc() { docker compose "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND... : retries the command once a second until it succeeds
  local seconds="$1" what="$2"; shift 2
  for _ in $(seq "$seconds"); do
    if "$@" >/dev/null 2>&1; then echo "ok: $what"; return 0; fi
    sleep 1
  done
  fail "$what (not within ${seconds}s)"
}

echo "== 1. the stack is up"
wait_for 180 "ingest healthy" curl -fs "$INGEST/health"
wait_for 60 "schema registry answers" curl -fs http://127.0.0.1:8081/subjects

echo "== 2. a gateway starts session $session on $resource"
now_ms=$(( $(date +%s) * 1000 ))
event="{\"sessionId\":\"$session\",\"type\":\"STARTED\",\"resource\":\"$resource\",\"gatewayId\":\"gw-smoke\",\"occurredAt\":$now_ms,\"subject\":{\"userId\":\"u-$run_id\",\"orgId\":{\"string\":\"acme\"},\"nationality\":[\"DE\"],\"residenceCountry\":{\"string\":\"DE\"},\"locationCountry\":{\"string\":\"DE\"},\"role\":[\"customer\"],\"attributes\":{}}}"
schema="$(tr -d '\n' < schemas/src/main/avro/SessionEvent.avsc)"
echo "$session|$event" | dc exec -T schema-registry kafka-avro-console-producer \
  --bootstrap-server kafka:9092 --topic session-events \
  --property schema.registry.url=http://localhost:8081 \
  --property parse.key=true --property key.separator='|' \
  --property key.serializer=org.apache.kafka.common.serialization.StringSerializer \
  --property value.schema="$schema" >/dev/null \
  || fail "could not produce the session event"
echo "ok: session event produced"

echo "== 3. the authority issues $directive covering $resource for everyone (break-glass: in force at once)"
# An ENFORCE revision needs a second person's approval (four-eyes) unless it is break-glass; one token can do
# break-glass alone, and its bounded window (ingest.break.glass.window.ms) is far longer than this test.
body="{\"directiveId\":\"$directive\",\"revision\":1,\"action\":\"RESTRICT\",\"issuer\":\"smoke-test\",\"legalBasis\":\"smoke test\",\"reason\":\"compose smoke test\",\"breakGlass\":true,\"scope\":{\"resources\":[\"$resource\"]}}"
# The session may still be on its way to the enforcement task; a directive applies to it either way
# (a live session is revoked by the sweep, or on its next event).
status=$(curl -s -o /tmp/cordon-smoke-ingest.json -w '%{http_code}' -X POST "$INGEST/v1/directives" \
  -H "Authorization: Bearer $CORDON_TOKEN" -H 'Content-Type: application/json' -d "$body")
[ "$status" = 202 ] || fail "ingest answered $status: $(cat /tmp/cordon-smoke-ingest.json)"
grep -q '"PENDING_APPROVAL"' /tmp/cordon-smoke-ingest.json && fail "the directive waits for approval: $(cat /tmp/cordon-smoke-ingest.json)"
echo "ok: directive accepted ($status)"

echo "== 4. a REVOKE for $session appears on revocation-commands"
revoked() {
  dc exec -T kafka /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server localhost:9092 \
    --topic revocation-commands --from-beginning --isolation-level read_committed --timeout-ms 5000 2>/dev/null \
    | grep -a -q "$session.*$directive\|$directive.*$session\|$session"
}
wait_for 60 "revocation command for $session" revoked

echo "== 5. the audit chain verifies"
verified() { dc exec -T audit-sink java -jar /opt/cordon/cordon.jar audit verify 2>/dev/null | grep -q '^OK'; }
wait_for 60 "cordon audit verify says OK" verified
dc exec -T audit-sink java -jar /opt/cordon/cordon.jar audit verify 2>/dev/null | head -1

if [ -n "${CAEP_SOC_TOKEN:-}" ]; then
  echo "== 6. the SOC polls a CAEP session-revoked SET (RFC 8936)"
  polled() {
    curl -fs -X POST "$CAEP/ssf/poll" -H "Authorization: Bearer $CAEP_SOC_TOKEN" -H 'Content-Type: application/json' \
      -d '{"maxEvents": 100, "returnImmediately": true}' > /tmp/cordon-smoke-caep.json \
      && grep -q '"sets":{"' /tmp/cordon-smoke-caep.json
  }
  wait_for 60 "a SET is available to poll" polled
fi
echo "PASS: directive $directive revoked $session and the audit trail verifies"
