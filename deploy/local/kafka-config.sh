# kafka_server_properties HOST ADVERTISED PORT CPORT DATA_DIR PARTITIONS: the single-node KRaft
# broker+controller config, the one copy for the local stack (deploy/local/kafka.sh) and the
# compose image (deploy/docker/kafka-entrypoint.sh). POSIX sh, sourced by both.
kafka_server_properties() {
  cat <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$1:$4
listeners=PLAINTEXT://$1:$3,CONTROLLER://$1:$4
advertised.listeners=PLAINTEXT://$2:$3
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
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
