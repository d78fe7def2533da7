/**
 * The bench host: a small REST CRM written the way real Express + Mongoose CRMs write their
 * endpoints (query-style updates with a plain object, `$set`/`$push`, bulk `updateMany`, a soft
 * delete, a hydrated list). The same code runs audited by us, by a peer plugin, or not at all.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Model } from 'mongoose';
import { SEED_ACTIVITY, SEGMENTS, type BenchUser } from './contact-records';

export const BENCH_TOKEN_SECRET = 'bench-host-token-secret-not-for-production';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
type AuthedRequest = Request & { user?: BenchUser };

export interface CrmHostAppOptions {
  Contact: Model<any>;
  /** mongoose 9 warns on every `new: true`; older majors do not know `returnDocument`. Same meaning. */
  mongooseMajor: number;
  /** The audit log's request context (crm-audit-log only): mounted before authentication, as INSTALL.md shows. */
  requestContext?: Middleware;
}

const mac = (body: string) => createHmac('sha256', BENCH_TOKEN_SECRET).update(body).digest('base64url');

/** A signed bearer token (a JWT in most CRMs): what the host's authentication checks on every request. */
export function signBenchToken(user: BenchUser): string {
  const body = Buffer.from(JSON.stringify(user)).toString('base64url');
  return `${body}.${mac(body)}`;
}

function authenticate(req: AuthedRequest, res: Response, next: NextFunction): void {
  const [body, signature] = (req.headers.authorization ?? '').replace(/^Bearer /, '').split('.');
  const expected = body ? Buffer.from(mac(body)) : undefined;
  if (!body || !signature || !expected || expected.length !== signature.length || !timingSafeEqual(expected, Buffer.from(signature))) {
    res.status(401).json({ error: 'Sign in first' });
    return;
  }
  req.user = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as BenchUser;
  next();
}

/** Express 5 passes rejected promises on; a failed write answers 500 with the message (the bench counts non-2xx). */
const route = (handler: (req: AuthedRequest, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) =>
  handler(req as AuthedRequest, res).catch(next);

export function createCrmHostApp({ Contact, mongooseMajor, requestContext }: CrmHostAppOptions): express.Express {
  const returnUpdated = mongooseMajor >= 9 ? { returnDocument: 'after' as const } : { new: true };
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  if (requestContext) app.use(requestContext);
  const contacts = express.Router();
  contacts.use(authenticate);
  const mine = (req: AuthedRequest, extra: object = {}) => ({ tenantId: req.user!.tenantId, ...extra });

  contacts.post('/', route(async (req, res) => {
    const contact = await Contact.create({ ...req.body, tenantId: req.user!.tenantId, owner: req.user!.id, segment: SEGMENTS.created });
    res.status(201).json(contact);
  }));

  // Load, assign, save: the one style where a document knows its own before-image.
  contacts.put('/:id/save', route(async (req, res) => {
    const contact = await Contact.findOne(mine(req, { _id: req.params.id }));
    if (!contact) return res.status(404).json({ error: 'No such contact' });
    contact.set(req.body);
    await contact.save();
    res.json(contact);
  }));

  // The edit form's whole object, as most MERN CRMs write an update.
  contacts.put('/:id', route(async (req, res) => {
    const contact = await Contact.findOneAndUpdate(mine(req, { _id: req.params.id }), req.body, { ...returnUpdated, runValidators: true });
    if (!contact) return res.status(404).json({ error: 'No such contact' });
    res.json(contact);
  }));

  contacts.post('/:id/activity', route(async (req, res) => {
    const { kind, note, stage } = req.body as { kind: string; note: string; stage: string };
    const at = new Date();
    await Contact.updateOne(mine(req, { _id: req.params.id }), { $set: { stage, lastContactedAt: at }, $push: { activity: { kind, note, at } } });
    res.status(204).end();
  }));

  contacts.get('/', route(async (req, res) => {
    const limit = Math.min(Number(req.query.limit) || 100, 200);
    res.json(await Contact.find(mine(req, { removed: false })).sort({ updatedAt: -1 }).limit(limit));
  }));

  contacts.post('/bulk-stage', route(async (req, res) => {
    const { segment, stage } = req.body as { segment: string; stage: string };
    const result = (await Contact.updateMany(mine(req, { segment }), { $set: { stage } })) as { modifiedCount?: number; nModified?: number };
    res.json({ modified: result.modifiedCount ?? result.nModified });
  }));

  // A soft delete: the record stays, flagged.
  contacts.delete('/:id', route(async (req, res) => {
    await Contact.updateOne(mine(req, { _id: req.params.id }), { $set: { removed: true } });
    res.status(204).end();
  }));

  app.use('/api/contacts', contacts);
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: error.message });
  });
  return app;
}

/** Seeded state for the next round: created records gone, soft deletes undone, pushed activity trimmed. Raw driver: no plugin sees it. */
export async function resetContacts(collection: { deleteMany(filter: object): Promise<unknown>; updateMany(filter: object, update: object): Promise<unknown> }): Promise<void> {
  await collection.deleteMany({ segment: SEGMENTS.created });
  await collection.updateMany({ removed: true }, { $set: { removed: false } });
  await collection.updateMany({ [`activity.${SEED_ACTIVITY.length}`]: { $exists: true } }, { $set: { activity: SEED_ACTIVITY } });
}
