#!/bin/sh
# Writes the broker's config from the environment, formats the data dir once, runs the broker.
set -eu
data=/var/lib/kafka/data
. /opt/kafka/kafka-config.sh
: "${KAFKA_PASSWORD:?set KAFKA_PASSWORD (user hangar's SCRAM password)}"
umask 077
kafka_server_properties "$KAFKA_LISTEN" "${KAFKA_ADVERTISED:-$KAFKA_LISTEN}" 9092 9093 "$data" 3 "$KAFKA_PASSWORD" > /var/lib/kafka/server.properties
kafka_client_properties "$KAFKA_PASSWORD" > /var/lib/kafka/client.properties   # for the health check
if [ ! -f "$data/meta.properties" ]; then
  java -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format -t "$(java -cp '/opt/kafka/libs/*' kafka.tools.StorageTool random-uuid | tail -n 1)" \
    -c /var/lib/kafka/server.properties --add-scram "$(kafka_format_scram "$KAFKA_PASSWORD")"
fi
# shellcheck disable=SC2086
exec java $KAFKA_HEAP_OPTS -cp '/opt/kafka/libs/*' kafka.Kafka /var/lib/kafka/server.properties
