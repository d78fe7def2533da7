import { randomBytes } from 'node:crypto';
import type { AccountingProvider } from '../../../plugins/events/explicit-events';

export interface InvoiceToPost {
  number: string;
  amount: number;
  currency: string;
}

/** What the CRM needs from an accounting system; real adapters would call QuickBooks Online or Xero. */
export interface AccountingProviderClient {
  readonly provider: AccountingProvider;
  postInvoice(invoice: InvoiceToPost): Promise<{ externalId: string }>;
}

export class AccountingProviderError extends Error {
  constructor(readonly provider: AccountingProvider, message: string) {
    super(message);
    this.name = 'AccountingProviderError';
  }
}

/**
 * A simulated provider: no network, answers like the real one would. `failWith(reason)` makes every
 * post fail until `failWith(undefined)`, to show failed posts in the log.
 */
export class SimulatedAccountingProvider implements AccountingProviderClient {
  private failure: string | undefined;

  constructor(readonly provider: AccountingProvider, private readonly idPrefix: string) {}

  failWith(reason: string | undefined): void {
    this.failure = reason;
  }

  async postInvoice(invoice: InvoiceToPost): Promise<{ externalId: string }> {
    await new Promise((done) => setTimeout(done, 5));
    if (this.failure) throw new AccountingProviderError(this.provider, this.failure);
    if (invoice.amount <= 0) throw new AccountingProviderError(this.provider, 'Invoice total must be positive');
    return { externalId: `${this.idPrefix}-${randomBytes(4).toString('hex').toUpperCase()}` };
  }
}

export function createSimulatedProviders() {
  return {
    quickbooks: new SimulatedAccountingProvider('quickbooks', 'QBO'),
    xero: new SimulatedAccountingProvider('xero', 'XERO'),
  } satisfies Record<AccountingProvider, SimulatedAccountingProvider>;
}

export type AccountingProviders = Record<AccountingProvider, AccountingProviderClient>;
