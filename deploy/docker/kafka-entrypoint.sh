#!/bin/sh
# Writes the broker's config from the environment, formats the data dir once, runs the broker.
set -eu
data=/var/lib/kafka/data
cat > /var/lib/kafka/server.properties <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${KAFKA_LISTEN}:9093
listeners=PLAINTEXT://${KAFKA_LISTEN}:9092,CONTROLLER://${KAFKA_LISTEN}:9093
advertised.listeners=PLAINTEXT://${KAFKA_ADVERTISED:-$KAFKA_LISTEN}:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.cleaner.dedupe.buffer.size=16777216
CONF
if [ ! -f "$data/meta.properties" ]; then
  java -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format -t "$(java -cp '/opt/kafka/libs/*' kafka.tools.StorageTool random-uuid | tail -n 1)" \
    -c /var/lib/kafka/server.properties
fi
# shellcheck disable=SC2086
exec java $KAFKA_HEAP_OPTS -cp '/opt/kafka/libs/*' kafka.Kafka /var/lib/kafka/server.properties
