import type { Connection, Model, Schema } from 'mongoose';
import { STAGES } from './contact-records';

/**
 * The host's mongoose module: mongoose 9 from the repository, or the version a peer plugin needs
 * (5, 6 or 8, from bench/peers/<name>/node_modules). Typed as mongoose 9; the host uses only API
 * that every one of them has.
 */
export type MongooseModule = typeof import('mongoose');

/** The contact schema as a CRM declares it: validators (so `runValidators` has work), timestamps, subdocuments. */
export function contactSchema(mongoose: MongooseModule): Schema {
  const { Schema: SchemaClass } = mongoose;
  const address = new SchemaClass({ street: String, city: String, postalCode: String, region: String, country: { type: String, minlength: 2, maxlength: 2 } }, { _id: false });
  const activity = new SchemaClass({ kind: { type: String, enum: ['email', 'call', 'meeting', 'note'] }, at: Date, note: String });
  return new SchemaClass(
    {
      tenantId: { type: String, required: true, index: true },
      firstName: { type: String, required: true, trim: true },
      lastName: { type: String, required: true, trim: true },
      email: { type: String, required: true, lowercase: true, match: /^[^@\s]+@[^@\s]+$/ },
      phone: String,
      mobile: String,
      jobTitle: String,
      company: String,
      website: String,
      stage: { type: String, enum: [...STAGES], default: 'lead' },
      source: String,
      owner: String,
      score: { type: Number, min: 0, max: 100 },
      tags: [String],
      address: address,
      notes: { type: String, maxlength: 5_000 },
      marketingConsent: { type: Boolean, default: false },
      lastContactedAt: Date,
      nextFollowUpAt: Date,
      segment: String,
      removed: { type: Boolean, default: false },
      activity: [activity],
    },
    { timestamps: true },
  );
}

/** Typed loosely on purpose: the same code runs on four mongoose majors. */
export function contactModel(connection: Connection, schema: Schema): Model<any> {
  return connection.model('Contact', schema) as unknown as Model<any>;
}
