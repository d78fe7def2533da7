/**
 * MongoDB command monitoring on a host's connection: which commands its requests send, as short
 * descriptions (`find contacts`, `find contacts {_id}` for a projected read, `insert audit_events`).
 */
export type CommandTally = Record<string, number>;

/** Handshakes, heartbeats and session bookkeeping: not the host's work. */
const IGNORED = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'buildInfo', 'saslStart', 'saslContinue', 'getLastError']);

export interface MonitoredCommand {
  commandName: string;
  command: Record<string, unknown>;
}

export function describeCommand({ commandName, command }: MonitoredCommand): string | undefined {
  if (IGNORED.has(commandName)) return undefined;
  // getMore names its cursor; the collection is beside it.
  const target = commandName === 'getMore' ? command.collection : command[commandName];
  const base = typeof target === 'string' ? `${commandName} ${target}` : commandName;
  const projection = commandName === 'find' ? (command.projection as Record<string, unknown> | undefined) : undefined;
  if (!projection || Object.keys(projection).length === 0) return base;
  const fields = Object.keys(projection);
  return `${base} {${fields.length <= 3 ? fields.join(', ') : `${fields.length} fields`}}`;
}

/** The collection a description names (`insert audit_events` → `audit_events`). */
export const collectionOf = (description: string): string => description.split(' ')[1] ?? '';

/** Counts commands from a driver client until `take()`, which returns them and starts again. */
export function monitorCommands(client: { on(event: string, listener: (event: MonitoredCommand) => void): unknown }) {
  let tally: CommandTally = {};
  client.on('commandStarted', (event) => {
    const description = describeCommand(event);
    if (description) tally[description] = (tally[description] ?? 0) + 1;
  });
  return {
    take(): CommandTally {
      const taken = tally;
      tally = {};
      return taken;
    },
  };
}

export type CommandMonitor = ReturnType<typeof monitorCommands>;

/** Commands per request: a tally over `requests` requests divided out. */
export function perRequest(tally: CommandTally, requests: number): CommandTally {
  return Object.fromEntries(Object.entries(tally).map(([command, count]) => [command, count / requests]));
}

/** What `tally` sends beyond `baseline`, command by command (fractions kept: batched writes). */
export function extraCommands(tally: CommandTally, baseline: CommandTally): CommandTally {
  const extra: CommandTally = {};
  for (const command of new Set([...Object.keys(tally), ...Object.keys(baseline)])) {
    const difference = (tally[command] ?? 0) - (baseline[command] ?? 0);
    if (Math.abs(difference) > 1e-9) extra[command] = difference;
  }
  return extra;
}

export const totalOf = (tally: CommandTally): number => Object.values(tally).reduce((sum, count) => sum + count, 0);

/** Splits a tally into the commands on collections in `stores` and the rest. */
export function splitByCollection(tally: CommandTally, stores: readonly string[]): { inStores: CommandTally; rest: CommandTally } {
  const inStores: CommandTally = {};
  const rest: CommandTally = {};
  for (const [command, count] of Object.entries(tally)) (stores.includes(collectionOf(command)) ? inStores : rest)[command] = count;
  return { inStores, rest };
}
