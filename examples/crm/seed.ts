import { runAsSystem } from '../../plugins';
import { hashPassword } from './auth/password';
import type { CrmModels } from './crm-models';
import { DEMO_PASSWORD, DEMO_TENANTS, type DemoTenant } from './seed-data';

/**
 * Creates the demo data once (does nothing when tenants exist). Runs as each tenant's system actor,
 * so the records it creates appear in the log as created by "System".
 */
export async function seedDemoData(models: CrmModels): Promise<{ seeded: boolean }> {
  if ((await models.tenants.countDocuments()) > 0) return { seeded: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const tenant of DEMO_TENANTS) {
    await runAsSystem(tenant.id, () => seedTenant(models, tenant, passwordHash), { name: 'Demo seed' });
  }
  return { seeded: true };
}

async function seedTenant(models: CrmModels, tenant: DemoTenant, passwordHash: string): Promise<void> {
  await models.tenants.create({ _id: tenant.id, name: tenant.name });
  await models.users.insertMany(tenant.users.map((user) => ({ ...user, tenantId: tenant.id, passwordHash })));
  const companies = [];
  for (const company of tenant.companies) companies.push(await models.companies.create({ ...company, tenantId: tenant.id }));
  const firstCompany = companies[0]!;
  const contacts = [];
  for (const contact of tenant.contacts) contacts.push(await models.contacts.create({ ...contact, tenantId: tenant.id, companyId: firstCompany._id }));
  const opportunity = await models.opportunities.create({
    tenantId: tenant.id,
    name: `${firstCompany.name} annual licence`,
    companyId: firstCompany._id,
    contactId: contacts[0]!._id,
    stage: 'proposal',
    currency: 'EUR',
    lineItems: [
      { product: 'CRM seat', quantity: 25, unitPrice: 40 },
      { product: 'Onboarding', quantity: 1, unitPrice: 1500 },
    ],
  });
  const discussion = await models.discussions.create({ tenantId: tenant.id, title: `Renewal of ${opportunity.name}`, about: { type: 'opportunity', id: String(opportunity._id) } });
  await models.comments.create({ tenantId: tenant.id, discussionId: discussion._id, authorId: 'system', authorName: 'Demo seed', body: 'Kick-off call booked for next week.' });
  await models.invoices.create({ tenantId: tenant.id, number: `${tenant.id.toUpperCase()}-1001`, companyId: firstCompany._id, amount: 2500, currency: 'EUR' });
  await models.invoices.create({ tenantId: tenant.id, number: `${tenant.id.toUpperCase()}-1002`, companyId: firstCompany._id, amount: 980.5, currency: 'GBP' });
}

export function demoLoginLines(): string[] {
  return DEMO_TENANTS.flatMap((tenant) => tenant.users.map((user) => `  workspace ${tenant.id.padEnd(7)} ${user.email.padEnd(18)} ${DEMO_PASSWORD}  (${user.role})`));
}
