# kafka_server_properties HOST ADVERTISED PORT CPORT DATA_DIR PARTITIONS PASSWORD: the single-node
# KRaft broker+controller config, the one copy for the local stack (deploy/local/kafka.sh) and the
# compose image (deploy/docker/kafka-entrypoint.sh). POSIX sh, sourced by both.
#
# Every listener authenticates: clients with SCRAM-SHA-512 as user `hangar` (its credential is
# written into the metadata log at format time, see kafka_format_scram), the broker to its own
# controller with PLAIN (KRaft controllers cannot use SCRAM). PASSWORD is the stack's generated
# one (.local/keys/kafka-password); the file holds it, so write it with umask 077.
kafka_server_properties() {
  cat <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$1:$4
listeners=SASL_PLAINTEXT://$1:$3,CONTROLLER://$1:$4
advertised.listeners=SASL_PLAINTEXT://$2:$3
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="hangar" password="$7" user_hangar="$7";
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="hangar" password="$7";
log.dirs=$5
num.partitions=$6
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
# default 128 MiB dedupe buffer would not fit a small heap
log.cleaner.dedupe.buffer.size=16777216
CONF
}

# kafka_format_scram PASSWORD: the StorageTool format argument that creates user `hangar`.
kafka_format_scram() {
  printf 'SCRAM-SHA-512=[name=hangar,password=%s]' "$1"
}

# kafka_client_properties PASSWORD: what a Kafka tool (TopicCommand, the health check) needs.
kafka_client_properties() {
  cat <<CONF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="hangar" password="$1";
CONF
}
