import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../platform/config/load-config.js';
import * as settings from '../../platform/config/settings.js';
import { DEFAULTS } from '../../platform/config/settings.js';
import { apiConfigSchema } from '../../api/api.config.js';
import { gatewayConfigSchema } from '../../payment-gateway/config.js';
import { workerConfigSchema } from '../../workers/worker.config.js';
import {
  parseHostPort,
  stackConfigSchema,
  urlEndpoint,
  type Endpoint,
} from '../support/harness.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../workflows/contracts/search-attributes.js';

/**
 * docker-compose.yml cannot run here (no Docker engine), so this keeps it honest against the native
 * stack: every expectation is derived from the config defaults, never written down a second time.
 */

const COMPOSE_FILE = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const stringList = z.union([z.string(), z.array(z.string())]);

const portSchema = z.union([
  z.string(),
  z.number(),
  z.object({
    target: z.coerce.number(),
    published: z.coerce.number(),
    host_ip: z.string().optional(),
  }),
]);

const serviceSchema = z.object({
  image: z.string(),
  command: stringList.optional(),
  environment: z.union([z.record(z.string(), scalar), z.array(z.string())]).optional(),
  ports: z.array(portSchema).default([]),
  volumes: z.array(z.string()).default([]),
  healthcheck: z.object({ test: stringList }).optional(),
  depends_on: z
    .union([
      z.array(z.string()),
      z.record(z.string(), z.object({ condition: z.string().optional() })),
    ])
    .optional(),
});

const composeSchema = z.object({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.unknown()).optional(),
});

type Service = z.infer<typeof serviceSchema>;

interface PublishedPort {
  hostIp: string | undefined;
  hostPort: number;
  containerPort: number;
}

/** Compose's port forms: `[ip:]host:container[/proto]`, a bare container port, or the long syntax. */
function publishedPorts(service: Service): PublishedPort[] {
  return service.ports.map((spec) => {
    if (typeof spec === 'object') {
      return { hostIp: spec.host_ip, hostPort: spec.published, containerPort: spec.target };
    }
    const parts = String(spec)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const containerPort = Number(parts.at(-1));
    const hostPort = parts.length >= 2 ? Number(parts.at(-2)) : NaN;
    const hostIp = parts.length === 3 ? parts[0] : undefined;
    return { hostIp, hostPort, containerPort };
  });
}

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const separator = entry.indexOf('=');
        return separator < 0
          ? [entry, '']
          : [entry.slice(0, separator), entry.slice(separator + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]),
  );
}

function commandArgs(service: Service): string[] {
  const { command } = service;
  if (command === undefined) return [];
  return Array.isArray(command) ? command : command.trim().split(/\s+/);
}

/** The value after each occurrence of `flag` (`--flag value` or `--flag=value`). */
function flagValues(args: string[], flag: string): string[] {
  return args.flatMap((arg, index) => {
    if (arg === flag) return args[index + 1] === undefined ? [] : [args[index + 1]!];
    return arg.startsWith(`${flag}=`) ? [arg.slice(flag.length + 1)] : [];
  });
}

/** `NAME://host:port,...` (Kafka's listener lists) → name → endpoint. */
function kafkaListeners(value: string | undefined): Map<string, Endpoint> {
  return new Map(
    (value ?? '')
      .split(',')
      .filter(Boolean)
      .map((listener) => {
        const [name = '', address = ''] = listener.split('://');
        return [name, parseHostPort(address)];
      }),
  );
}

function loadCompose() {
  return composeSchema.parse(parse(fs.readFileSync(COMPOSE_FILE, 'utf8')));
}

function service(name: string): Service {
  const found = loadCompose().services[name];
  if (!found) throw new Error(`docker-compose.yml has no "${name}" service`);
  return found;
}

/** What the native stack listens on when nothing is configured. */
const defaults = loadConfig(stackConfigSchema, {});
const gatewayDefaults = loadConfig(gatewayConfigSchema, {});

/** Host ports of what `npm run stack -- up` runs (the servers and the simulated payment gateway). */
const STACK_HOST_PORTS: Record<string, number[]> = {
  postgres: [urlEndpoint(defaults.DATABASE_URL, 5432).port],
  temporal: [parseHostPort(defaults.TEMPORAL_ADDRESS).port, defaults.TEMPORAL_UI_PORT],
  kafka: defaults.KAFKA_BROKERS.map((broker) => parseHostPort(broker).port),
  redis: [urlEndpoint(defaults.REDIS_URL, 6379).port],
  'payment-gateway': [gatewayDefaults.PAYMENT_GATEWAY_PORT],
};

const APP_HOST_PORTS = [loadConfig(apiConfigSchema, {}).API_PORT];

/** Our own processes, run from the mounted project. */
const NODE_SERVICES = ['payment-gateway', 'app'];

/** Every variable some process's config schema reads. Add new per-process schemas here. */
const SCHEMA_KEYS = new Set([
  ...Object.keys(stackConfigSchema.shape),
  ...Object.keys(gatewayConfigSchema.shape),
  ...Object.keys(apiConfigSchema.shape),
  ...Object.keys(workerConfigSchema.shape),
  ...Object.entries(settings)
    .filter(([name]) => name.endsWith('Settings'))
    .flatMap(([, group]) => Object.keys(group)),
]);

/** Ports a container of the compose network can reach on a service (published or not). */
function reachablePorts(name: string): number[] {
  const svc = service(name);
  const ports = publishedPorts(svc).map((p) => p.containerPort);
  const kafka = kafkaListeners(environment(svc).KAFKA_LISTENERS);
  return [...ports, ...[...kafka.values()].map((endpoint) => endpoint.port)];
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

describe('docker-compose.yml', () => {
  it('parses and has the stack services and the app', () => {
    const compose = loadCompose();
    expect(Object.keys(compose.services).sort()).toEqual(
      [...Object.keys(STACK_HOST_PORTS), 'app'].sort(),
    );
  });

  it.each(Object.entries(STACK_HOST_PORTS))(
    '%s publishes exactly the native stack default ports',
    (name, expected) => {
      expect(sorted(publishedPorts(service(name)).map((p) => p.hostPort))).toEqual(
        sorted(expected),
      );
    },
  );

  it('the app publishes the API default port', () => {
    expect(sorted(publishedPorts(service('app')).map((p) => p.hostPort))).toEqual(
      sorted(APP_HOST_PORTS),
    );
  });

  it('binds every host port to 127.0.0.1', () => {
    for (const [name, svc] of Object.entries(loadCompose().services)) {
      for (const port of publishedPorts(svc)) {
        expect(port.hostIp, `${name} port ${port.hostPort}`).toBe('127.0.0.1');
      }
    }
  });

  it('temporal serves on its published ports, on all interfaces of the container', () => {
    const temporal = service('temporal');
    const args = commandArgs(temporal);
    expect(args.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(flagValues(args, '--ip')).toEqual(['0.0.0.0']);
    const grpc = Number(flagValues(args, '--port')[0]);
    const ui = Number(flagValues(args, '--ui-port')[0]);
    expect(grpc).toBe(parseHostPort(defaults.TEMPORAL_ADDRESS).port);
    expect(ui).toBe(defaults.TEMPORAL_UI_PORT);
    expect(sorted(publishedPorts(temporal).map((p) => p.containerPort))).toEqual(
      sorted([grpc, ui]),
    );
  });

  it('temporal keeps its database on a named volume', () => {
    const temporal = service('temporal');
    const [dbFile] = flagValues(commandArgs(temporal), '--db-filename');
    const volumes = Object.keys(loadCompose().volumes ?? {});
    const mounted = temporal.volumes
      .map((v) => v.split(':'))
      .filter(([source]) => volumes.includes(source!));
    expect(dbFile).toBeDefined();
    expect(mounted.some(([, target]) => dbFile!.startsWith(`${target}/`))).toBe(true);
  });

  it('temporal registers every custom search attribute with its type', () => {
    const registered = flagValues(commandArgs(service('temporal')), '--search-attribute');
    // The CLI spells types `Keyword`, `KeywordList`…; the SDK `KEYWORD`, `KEYWORD_LIST`.
    const normalize = (pair: string) => pair.replaceAll('_', '').toLowerCase();
    expect(registered.map(normalize).sort()).toEqual(
      CUSTOM_SEARCH_ATTRIBUTES.map((key) => normalize(`${key.name}=${key.type}`)).sort(),
    );
  });

  it('kafka advertises the default broker address to host clients, and a listener for containers', () => {
    const env = environment(service('kafka'));
    const listening = [...kafkaListeners(env.KAFKA_LISTENERS).values()].map((e) => e.port);
    const advertised = [...kafkaListeners(env.KAFKA_ADVERTISED_LISTENERS).values()];
    const hostBroker = parseHostPort(defaults.KAFKA_BROKERS[0]!);
    expect(advertised).toContainEqual(hostBroker);
    // A client is sent to the advertised address, so the published port must be that same port.
    expect(publishedPorts(service('kafka'))).toContainEqual(
      expect.objectContaining({ hostPort: hostBroker.port, containerPort: hostBroker.port }),
    );
    for (const endpoint of advertised) expect(listening).toContain(endpoint.port);
    expect(advertised.some((endpoint) => endpoint.host === 'kafka')).toBe(true);
  });

  it('kafka runs its KRaft controller on the native stack controller port', () => {
    const env = environment(service('kafka'));
    const controllerNames = (env.KAFKA_CONTROLLER_LISTENER_NAMES ?? '').split(',');
    const listeners = kafkaListeners(env.KAFKA_LISTENERS);
    expect(controllerNames.map((name) => listeners.get(name)?.port)).toEqual([
      defaults.KAFKA_CONTROLLER_PORT,
    ]);
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toMatch(
      new RegExp(`:${defaults.KAFKA_CONTROLLER_PORT}$`),
    );
    expect(env.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller']);
  });

  it('the app sets every service address variable that the config defaults', () => {
    const addressVariables = Object.entries(DEFAULTS)
      .filter(([, value]) => typeof value === 'string')
      .map(([key]) => key);
    expect(Object.keys(environment(service('app')))).toEqual(
      expect.arrayContaining(addressVariables),
    );
  });

  it.each(NODE_SERVICES)('%s uses only variables that some config schema reads', (name) => {
    const svc = service(name);
    const interpolated = [...JSON.stringify(svc).matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map(
      (match) => match[1]!,
    );
    for (const variable of [...Object.keys(environment(svc)), ...interpolated]) {
      expect(SCHEMA_KEYS, `${variable} is read by no config schema`).toContain(variable);
    }
  });

  it("the app's addresses are valid config and point at compose services on ports they serve", () => {
    const config = loadConfig(stackConfigSchema, environment(service('app')));
    const endpoints: Record<string, Endpoint[]> = {
      DATABASE_URL: [urlEndpoint(config.DATABASE_URL, 5432)],
      TEMPORAL_ADDRESS: [parseHostPort(config.TEMPORAL_ADDRESS)],
      KAFKA_BROKERS: config.KAFKA_BROKERS.map(parseHostPort),
      REDIS_URL: [urlEndpoint(config.REDIS_URL, 6379)],
      PAYMENT_GATEWAY_URL: [urlEndpoint(config.PAYMENT_GATEWAY_URL, 80)],
    };
    const services = Object.keys(loadCompose().services);
    for (const [variable, list] of Object.entries(endpoints)) {
      for (const { host, port } of list) {
        expect(services, `${variable} host`).toContain(host);
        expect(reachablePorts(host), `${variable} port`).toContain(port);
      }
    }
  });

  it('the payment gateway is valid config, listening on all interfaces on its published port', () => {
    const gateway = service('payment-gateway');
    const config = loadConfig(gatewayConfigSchema, environment(gateway));
    expect(config.PAYMENT_GATEWAY_HOST).toBe('0.0.0.0');
    expect(publishedPorts(gateway).map((p) => p.containerPort)).toEqual([
      config.PAYMENT_GATEWAY_PORT,
    ]);
    const database = urlEndpoint(config.PAYMENT_GATEWAY_DATABASE_URL, 5432);
    expect(reachablePorts(database.host)).toContain(database.port);
  });

  it('the app waits for every other service to be healthy, and each has a healthcheck', () => {
    const { services } = loadCompose();
    const others = Object.keys(services).filter((name) => name !== 'app');
    expect(services.app?.depends_on).toEqual(
      Object.fromEntries(others.map((name) => [name, { condition: 'service_healthy' }])),
    );
    for (const name of others) expect(services[name]?.healthcheck, name).toBeDefined();
  });

  it('the payment gateway waits for Postgres to be healthy', () => {
    expect(service('payment-gateway').depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
    });
  });

  it('the default payment gateway URL uses the default payment gateway port', () => {
    expect(urlEndpoint(defaults.PAYMENT_GATEWAY_URL, 80).port).toBe(
      gatewayDefaults.PAYMENT_GATEWAY_PORT,
    );
  });
});
