import type { TRPCClient } from '@trpc/client';
import { createAuditLogClient, type AuditEvent, type AuditLogApiRouter, type AuditLogInputs, type AuditLogOutputs } from '../../client';
import type { ActorFacetCount, FacetCount } from '../../server/events/event.repository';
import type { TAuditEvent } from '../../server/events/event.schema';

/**
 * Type-level tests: `npm run typecheck` fails if the client stops inferring what each procedure
 * returns. The runtime assertions only check the client's shape; the compile-time ones are the point.
 */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

type Client = TRPCClient<AuditLogApiRouter>;
type OutputOf<TQuery extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<TQuery>>;

type ListOutput = OutputOf<Client['auditLog']['events']['list']['query']>;
type ByIdOutput = OutputOf<Client['auditLog']['events']['byId']['query']>;
type FacetsOutput = OutputOf<Client['auditLog']['events']['facets']['query']>;
type ActionsOutput = OutputOf<Client['auditLog']['events']['actions']['query']>;
type ListInput = Parameters<Client['auditLog']['events']['list']['query']>[0];

describe('the typed client', () => {
  const client = createAuditLogClient({ url: 'http://127.0.0.1:1/trpc' });

  it('infers events.list as a page of audit events with dates as Date', () => {
    expect(assertType<Equals<ListOutput, { items: TAuditEvent[]; nextCursor: string | null }>>()).toBe(true);
    expect(assertType<Equals<ListOutput['items'][number]['occurredAt'], Date>>()).toBe(true);
    expect(assertType<Equals<AuditEvent, TAuditEvent>>()).toBe(true);
    expect(typeof client.auditLog.events.list.query).toBe('function');
  });

  it('infers events.byId as one audit event', () => {
    expect(assertType<Equals<ByIdOutput, TAuditEvent>>()).toBe(true);
    expect(typeof client.auditLog.events.byId.query).toBe('function');
  });

  it('infers events.facets as counts by action and by actor, attempted sign-in identities only counted', () => {
    expect(assertType<Equals<FacetsOutput, { actions: FacetCount[]; actors: ActorFacetCount[]; attempted: { identities: number; events: number } }>>()).toBe(true);
    expect(assertType<Equals<ActorFacetCount['kind'], 'person' | 'api_key' | 'system' | 'attempted'>>()).toBe(true);
    expect(typeof client.auditLog.events.facets.query).toBe('function');
  });

  it('infers events.history as a page of audit events and events.activity as hourly counts', () => {
    type HistoryOutput = Awaited<ReturnType<Client['auditLog']['events']['history']['query']>>;
    type ActivityOutput = Awaited<ReturnType<Client['auditLog']['events']['activity']['query']>>;
    expect(assertType<Equals<HistoryOutput, { items: TAuditEvent[]; nextCursor: string | null }>>()).toBe(true);
    expect(assertType<Equals<ActivityOutput['hours'], Array<[number, number]>>>()).toBe(true);
    expect(assertType<Equals<ActivityOutput['from'], Date>>()).toBe(true);
  });

  it('infers events.actions as the catalog entries', () => {
    type Entry = ActionsOutput[number];
    expect(assertType<Equals<Entry['name'], string>>()).toBe(true);
    expect(assertType<Equals<Entry['category'], 'records' | 'privacy' | 'collaboration' | 'integrations' | 'access' | 'audit' | 'custom'>>()).toBe(true);
    expect(typeof client.auditLog.events.actions.query).toBe('function');
  });

  it('types the list input from the zod filters: dates or ISO text, a bounded status enum', () => {
    expect(assertType<Equals<NonNullable<ListInput>['status'], 'success' | 'failure' | undefined>>()).toBe(true);
    expect(assertType<Equals<NonNullable<ListInput>['from'], Date | string | undefined>>()).toBe(true);
    expect(assertType<Equals<AuditLogInputs['events']['list'], ListInput>>()).toBe(true);
    expect(assertType<Equals<AuditLogOutputs['events']['list'], ListOutput>>()).toBe(true);
  });

  it('rejects unknown procedures and wrongly typed input at compile time', () => {
    const calls = () => {
      // @ts-expect-error there is no such procedure
      void client.auditLog.events.drop.query();
      // @ts-expect-error limit is a number
      void client.auditLog.events.list.query({ limit: '10' });
      // @ts-expect-error unknown filter keys are refused
      void client.auditLog.events.list.query({ $where: '1' });
    };
    expect(typeof calls).toBe('function');
  });
});
