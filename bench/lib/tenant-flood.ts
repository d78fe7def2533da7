/**
 * One tenant's admins at full speed: `clients` loops, each sending one batched GET of `batch`
 * searches, then the next as soon as it is answered. Used by the fairness bench and its test.
 */
export interface TenantFlood {
  /** Stops the loops and resolves with what the tenant got back, per batch call. */
  stop(): Promise<FloodOutcome>;
}

export interface FloodOutcome {
  answered: number;
  tooManyRequests: number;
  /** Searches the database stopped at the read time limit (maxTimeMS). */
  timedOut: number;
  otherErrors: number;
  /** Retry-After values (seconds) seen on refused batches. */
  retryAfter: string[];
}

export function floodSearches(options: { url: string; token: string; clients: number; batch: number; search: (n: number) => Record<string, unknown> }): TenantFlood {
  const outcome: FloodOutcome = { answered: 0, tooManyRequests: 0, timedOut: 0, otherErrors: 0, retryAfter: [] };
  let running = true;
  let sent = 0;
  const controller = new AbortController();
  const paths = Array.from({ length: options.batch }, () => 'auditLog.events.list').join(',');

  async function loop(): Promise<void> {
    while (running) {
      const input = Object.fromEntries(Array.from({ length: options.batch }, (_, index) => [index, { json: options.search(sent++) }]));
      try {
        const response = await fetch(`${options.url}/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers: { authorization: `Bearer ${options.token}` },
          signal: controller.signal,
        });
        const calls = (await response.json()) as Array<{ error?: { json?: { data?: { code?: string } } } }>;
        for (const call of calls) {
          const code = call.error?.json?.data?.code;
          if (!code) outcome.answered += 1;
          else if (code === 'TOO_MANY_REQUESTS') outcome.tooManyRequests += 1;
          else if (code === 'TIMEOUT') outcome.timedOut += 1;
          else outcome.otherErrors += 1;
        }
        const retryAfter = response.headers.get('retry-after');
        if (retryAfter) {
          outcome.retryAfter.push(retryAfter);
          // A well-behaved client waits, a little (an attacker would not): the loop stays at full speed otherwise.
          await new Promise((done) => setTimeout(done, 50));
        }
      } catch {
        if (running) outcome.otherErrors += 1;
      }
    }
  }

  const loops = Array.from({ length: options.clients }, () => loop());
  return {
    async stop() {
      running = false;
      controller.abort();
      await Promise.all(loops);
      return outcome;
    },
  };
}
