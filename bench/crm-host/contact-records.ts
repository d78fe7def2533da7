/**
 * The bench host's data: contacts as real CRMs keep them (about 20 fields, a nested address, tags,
 * an activity list, a long note), one tenant, one signed-in user. Pure and deterministic: every
 * host of a run gets the same records, and request bodies are built from them.
 */
import { ObjectId } from 'mongodb';

export const BENCH_TENANT = 'acme';
export const BENCH_USER = { id: 'user-7', tenantId: BENCH_TENANT, name: 'Alice Admin', email: 'alice@acme.test', role: 'admin' as const };
export type BenchUser = typeof BENCH_USER;

/** Seeded records are `seeded`; records the create endpoint makes are `created` (removed between rounds). */
export const SEGMENTS = { seeded: 'customers-2026', created: 'web-signups' } as const;
export const STAGES = ['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost'] as const;
const SOURCES = ['website', 'referral', 'trade show', 'outbound', 'partner'] as const;
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Frances', 'Katherine', 'Dennis', 'Hedy', 'Linus'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Allen', 'Johnson', 'Ritchie', 'Lamarr'];
const COMPANIES = ['Initech', 'Umbrella Corporation', 'Hooli', 'Globex', 'Vandelay Industries', 'Stark Industries', 'Wayne Enterprises'];
const CITIES = [
  { city: 'London', postalCode: 'EC1A 1BB', region: 'Greater London', country: 'GB' },
  { city: 'Berlin', postalCode: '10115', region: 'Berlin', country: 'DE' },
  { city: 'Lyon', postalCode: '69001', region: 'Auvergne-Rhône-Alpes', country: 'FR' },
  { city: 'Austin', postalCode: '78701', region: 'Texas', country: 'US' },
];
const TAGS = ['newsletter', 'vip', 'renewal-2026', 'webinar', 'partner', 'churn-risk', 'enterprise', 'smb'];
const NOTE =
  'Met at the spring trade show; interested in the enterprise plan for their support team (about 40 seats). ' +
  'Asked for a security questionnaire and a reference customer in the same industry. Budget is approved for Q3, ' +
  'procurement needs two quotes. Prefers e-mail over phone; do not call before 10:00 local time. Follow up after ' +
  'the pilot review with the updated pricing sheet and the onboarding plan. Decision maker is the VP Operations.';

/** Every seeded record has the same activity; the updateOne endpoint pushes to it, and the reset trims it back. */
export const SEED_ACTIVITY = [
  { _id: new ObjectId('6a0000000000000000000001'), kind: 'email', at: new Date('2026-05-02T09:30:00Z'), note: 'Sent the product overview' },
  { _id: new ObjectId('6a0000000000000000000002'), kind: 'call', at: new Date('2026-05-09T14:00:00Z'), note: 'Discovery call, 30 minutes' },
];

export interface ContactRecord {
  _id: ObjectId;
  tenantId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  mobile: string;
  jobTitle: string;
  company: string;
  website: string;
  stage: string;
  source: string;
  owner: string;
  score: number;
  tags: string[];
  address: { street: string; city: string; postalCode: string; region: string; country: string };
  notes: string;
  marketingConsent: boolean;
  lastContactedAt: Date;
  nextFollowUpAt: Date;
  segment: string;
  removed: boolean;
  activity: typeof SEED_ACTIVITY;
  createdAt: Date;
  updatedAt: Date;
  __v: number;
}

/** The editable part of a contact, as a CRM's edit form sends it: every field, changed or not. */
export type ContactForm = Omit<ContactRecord, '_id' | 'tenantId' | 'owner' | 'segment' | 'removed' | 'activity' | 'createdAt' | 'updatedAt' | '__v' | 'lastContactedAt'>;

const pick = <T>(list: readonly T[], index: number): T => list[index % list.length]!;

function formFor(index: number): ContactForm {
  const firstName = pick(FIRST, index);
  const lastName = pick(LAST, Math.floor(index / FIRST.length));
  const company = pick(COMPANIES, index);
  const domain = `${company.toLowerCase().replace(/[^a-z]+/g, '')}.test`;
  const place = pick(CITIES, index);
  return {
    firstName,
    lastName,
    email: `${firstName}.${lastName}.${index}@${domain}`.toLowerCase(),
    phone: `+1 202 555 ${String(index % 10_000).padStart(4, '0')}`,
    mobile: `+44 7700 900${String(index % 1_000).padStart(3, '0')}`,
    jobTitle: pick(['Head of Support', 'VP Operations', 'CTO', 'Procurement Lead', 'Office Manager'], index),
    company,
    website: `https://www.${domain}`,
    stage: pick(STAGES, index),
    source: pick(SOURCES, index),
    score: (index * 37) % 100,
    tags: [pick(TAGS, index), pick(TAGS, index + 3), pick(TAGS, index + 5)],
    address: { street: `${(index % 200) + 1} ${pick(['High Street', 'Main Street', 'Rue de la République', 'Torstraße'], index)}`, ...place },
    notes: `${NOTE} (record ${index})`,
    marketingConsent: index % 3 !== 0,
    nextFollowUpAt: new Date(Date.UTC(2026, 6, 1 + (index % 28), 9)),
  };
}

export function seedContact(index: number, now = new Date('2026-06-01T08:00:00Z')): ContactRecord {
  return {
    _id: new ObjectId(),
    tenantId: BENCH_TENANT,
    ...formFor(index),
    owner: BENCH_USER.id,
    lastContactedAt: new Date(Date.UTC(2026, 4, 1 + (index % 28), 15)),
    segment: SEGMENTS.seeded,
    removed: false,
    activity: SEED_ACTIVITY,
    createdAt: new Date(now.getTime() - index * 60_000),
    updatedAt: now,
    __v: 0,
  };
}

/** The edit form of seeded record `index` with a new phone number and score: two changed fields among sixteen sent. */
export function editedForm(index: number, request: number): ContactForm {
  return { ...formFor(index), phone: `+1 303 555 ${String(request % 10_000).padStart(4, '0')}`, score: request % 100 };
}

/** A new contact as a sign-up form sends it (the host adds tenant, owner and segment). */
export function newContactForm(request: number): ContactForm {
  return formFor(100_000 + request);
}

/** JSON as it travels in a request body (dates as ISO strings). */
export const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
