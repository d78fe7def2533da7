import { Schema } from 'mongoose';
import { z } from 'zod';
import { eventMongooseSchema, EVENT_INDEXES } from '../../server/events/event.model';
import { ZAuditEvent } from '../../server/events/event.schema';

/** Dotted paths of a zod object, descending into nested objects and arrays of objects. */
function zodPaths(schema: z.ZodType, prefix = ''): string[] {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
  if (inner instanceof z.ZodArray) inner = inner.element as z.ZodType;
  if (!(inner instanceof z.ZodObject)) return [prefix];
  return Object.entries(inner.shape).flatMap(([key, member]) => zodPaths(member as z.ZodType, prefix ? `${prefix}.${key}` : key));
}

function mongoosePaths(schema: Schema, prefix = ''): string[] {
  const paths: string[] = [];
  schema.eachPath((path, type) => {
    const full = prefix ? `${prefix}.${path}` : path;
    const nested = (type as unknown as { schema?: Schema }).schema;
    if (nested) paths.push(...mongoosePaths(nested, full));
    else paths.push(full);
  });
  return paths;
}

describe('the mongoose model of audit events', () => {
  it('has exactly the fields of the zod event schema (id stored as _id, plus the format version)', () => {
    const fromZod = zodPaths(ZAuditEvent).map((path) => (path === 'id' ? '_id' : path)).sort();
    const fromMongoose = mongoosePaths(eventMongooseSchema).filter((path) => path !== 'v').sort();
    expect(fromMongoose).toEqual(fromZod);
  });

  it('declares every index tenant first and ending in the list sort order', () => {
    for (const { key } of EVENT_INDEXES) {
      const fields = Object.entries(key);
      expect(fields[0]).toEqual(['tenantId', 1]);
      expect(fields.slice(-2)).toEqual([
        ['occurredAt', -1],
        ['_id', -1],
      ]);
    }
  });
});
