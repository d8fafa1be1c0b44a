import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { isLocal, parseHostPort, type StackConfig, type StackPaths } from '../config.js';
import { canConnect, execFileAsync, provision } from '../../support/process-control.js';
import { spawnComponent, type StackComponent } from './component.js';

type KafkaConfig = Pick<StackConfig, 'KAFKA_BROKERS' | 'KAFKA_CONTROLLER_PORT'>;

function serverProperties(config: KafkaConfig, dataDir: string): string {
  const broker = parseHostPort(config.KAFKA_BROKERS[0]!);
  const controller = `${broker.host}:${config.KAFKA_CONTROLLER_PORT}`;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${controller}`,
    `listeners=PLAINTEXT://${broker.host}:${broker.port},CONTROLLER://${controller}`,
    `advertised.listeners=PLAINTEXT://${broker.host}:${broker.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${path.join(dataDir, 'logs')}`,
    'num.partitions=4',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    // One offsets partition: with the default 50 the first consumer-group join takes seconds.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'num.network.threads=2',
    'num.io.threads=2',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaRaftServer=INFO',
].join('\n');

export function createKafkaComponent(config: KafkaConfig, paths: StackPaths): StackComponent {
  const broker = parseHostPort(config.KAFKA_BROKERS[0]!);
  const dataDir = path.join(paths.data, 'kafka');
  return {
    name: 'kafka',
    url: config.KAFKA_BROKERS.join(','),
    managed: config.KAFKA_BROKERS.length === 1 && isLocal(broker),
    startTimeoutMs: 60_000,
    async isHealthy() {
      if (!(await canConnect(broker.host, broker.port))) return false;
      const admin = new Kafka({
        clientId: 'stack-health',
        brokers: config.KAFKA_BROKERS,
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        connectionTimeout: 2_000,
      }).admin();
      await admin.connect();
      try {
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 && cluster.controller !== null;
      } finally {
        await admin.disconnect();
      }
    },
    async start() {
      const classpath = fs.readFileSync(await provision('kafka'), 'utf8').trim();
      fs.mkdirSync(dataDir, { recursive: true });
      const properties = path.join(dataDir, 'server.properties');
      const log4j = path.join(dataDir, 'log4j.properties');
      fs.writeFileSync(properties, serverProperties(config, dataDir));
      fs.writeFileSync(log4j, LOG4J);
      const java = ['-cp', classpath, `-Dlog4j.configuration=file:${log4j}`];
      if (!fs.existsSync(path.join(dataDir, 'logs', 'meta.properties'))) {
        const { stdout: clusterId } = await execFileAsync('java', [
          ...java,
          'kafka.tools.StorageTool',
          'random-uuid',
        ]);
        await execFileAsync('java', [
          ...java,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          clusterId.trim(),
          '-c',
          properties,
          '--ignore-formatted',
        ]);
      }
      spawnComponent(paths, {
        name: 'kafka',
        command: 'java',
        args: ['-Xms256m', '-Xmx1g', '-XX:TieredStopAtLevel=1', ...java, 'kafka.Kafka', properties],
      });
    },
  };
}
