/** The demo data: two tenants, each with an admin and a member. Data only, no I/O. */
export const DEMO_PASSWORD = 'crm-demo-password';

export const DEMO_TENANTS = [
  {
    id: 'acme',
    name: 'Acme Corp',
    users: [
      { name: 'Alice Admin', email: 'alice@acme.test', role: 'admin' as const },
      { name: 'Mark Member', email: 'mark@acme.test', role: 'member' as const },
    ],
    companies: [
      { name: 'Initech', domain: 'initech.test', industry: 'Software' },
      { name: 'Umbrella', domain: 'umbrella.test', industry: 'Pharma' },
    ],
    contacts: [
      { name: 'Ada Lovelace', email: 'ada@initech.test', phone: '+44 20 7946 0001', status: 'customer' as const },
      { name: 'Grace Hopper', email: 'grace@initech.test', phone: '+1 202 555 0102', status: 'lead' as const },
      { name: 'Alan Turing', email: 'alan@umbrella.test', status: 'lead' as const },
    ],
  },
  {
    id: 'globex',
    name: 'Globex',
    users: [
      { name: 'Gina Globex', email: 'gina@globex.test', role: 'admin' as const },
      { name: 'Max Member', email: 'max@globex.test', role: 'member' as const },
    ],
    companies: [{ name: 'Hooli', domain: 'hooli.test', industry: 'Internet' }],
    contacts: [
      { name: 'Katherine Johnson', email: 'katherine@hooli.test', status: 'customer' as const },
      { name: 'Edsger Dijkstra', email: 'edsger@hooli.test', status: 'churned' as const },
    ],
  },
] as const;

export type DemoTenant = (typeof DEMO_TENANTS)[number];
