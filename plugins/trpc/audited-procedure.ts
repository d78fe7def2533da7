import { lazyModule } from '../../server/common/lazy-module';
import type { Logger } from 'pino';
import type { TAuditEventInput } from '../../server/events';

/** @trpc/server when a procedure first fails: a host that only captures need not load it (issue 17). */
const trpcServer = lazyModule(() => require('@trpc/server') as typeof import('@trpc/server'));

/**
 * A tRPC (v11) middleware that records a host's procedure as an audit event: the action and subject
 * come from the call's input and result. A call that throws is recorded with status `failure` and
 * the error's code, then the error goes on to the client unchanged.
 *
 *   const commentProcedure = authedProcedure.use(audited((ctx) => ctx.auditLog, {
 *     event: ({ input, result }) => ({ action: 'comment.created', subject: …, description: … }),
 *   }));
 *
 * The audit log is given directly, or read from the context when routers are built before it.
 */
export interface AuditedCall<TInput, TResult> {
  input: TInput;
  /** Undefined when the procedure failed. */
  result: TResult | undefined;
  path: string;
}

export type AuditedEvent = Omit<TAuditEventInput, 'status' | 'failureReason'>;

export interface AuditedProcedureSpec<TInput = any, TResult = any> {
  event: (call: AuditedCall<TInput, TResult>) => AuditedEvent;
  /** Default true: failures are worth a line in the log (denied access, provider errors). */
  recordFailures?: boolean;
}

type MiddlewareOutcome = { ok: true; data: unknown } | { ok: false; error: unknown };

type AuditRecorder = { record(event: TAuditEventInput): string | undefined; logger: Pick<Logger, 'error'> };

export function audited<TInput = any, TResult = any, TContext = any>(
  source: AuditRecorder | ((ctx: TContext) => AuditRecorder),
  spec: AuditedProcedureSpec<TInput, TResult>,
) {
  return async function auditedMiddleware<TOutcome extends MiddlewareOutcome>(opts: {
    ctx: TContext;
    path: string;
    getRawInput: () => Promise<unknown>;
    next: () => Promise<TOutcome>;
  }): Promise<TOutcome> {
    const outcome = await opts.next();
    const auditLog = typeof source === 'function' ? source(opts.ctx) : source;
    if (!outcome.ok && spec.recordFailures === false) return outcome;
    try {
      const input = (await opts.getRawInput()) as TInput;
      const result = outcome.ok ? (outcome.data as TResult) : undefined;
      const event = spec.event({ input, result, path: opts.path });
      auditLog.record(outcome.ok ? event : { ...event, status: 'failure', failureReason: failureReasonOf(outcome.error) });
    } catch (error) {
      // The procedure's outcome stands; a problem building its audit event is the host's bug to see in logs.
      auditLog.logger.error({ err: error, path: opts.path }, 'audit: procedure event not recorded');
    }
    return outcome;
  };
}

/** `NOT_FOUND: Discussion not found`: the code an admin can filter on, then the message. */
export function failureReasonOf(error: unknown): string {
  if (error instanceof trpcServer().TRPCError) return `${error.code}: ${error.message}`.slice(0, 1_000);
  if (error instanceof Error) return `INTERNAL_SERVER_ERROR: ${error.message}`.slice(0, 1_000);
  return 'INTERNAL_SERVER_ERROR';
}
