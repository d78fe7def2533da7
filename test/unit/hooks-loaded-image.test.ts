import mongoose from 'mongoose';
import { modifiedTopLevelFields, savedFields, sharesRawValues } from '../../plugins/mongoose/loaded-image';

// Documents built with Model.hydrate (what a query does with the driver's reply): no database involved.
const odm = new mongoose.Mongoose();
const address = new odm.Schema({ city: String, country: String }, { _id: false });
const Contact = odm.model('Contact', new odm.Schema({ name: String, dueAt: Date, address, tags: [String], activity: [{ kind: String }] }));
const raw = () => ({ _id: new odm.Types.ObjectId(), name: 'Ada', dueAt: new Date('2026-06-01T00:00:00Z'), address: { city: 'London', country: 'GB' }, tags: ['vip'], activity: [{ _id: new odm.Types.ObjectId(), kind: 'call' }] });

describe('what a loaded document was, for diffing its save', () => {
  it('tells schemas whose documents share objects with the driver reply (Mixed anywhere, or not strict) from those that do not', () => {
    expect(sharesRawValues(Contact.schema)).toBe(false);
    expect(sharesRawValues(new odm.Schema({ name: String, extra: {} }))).toBe(true);
    expect(sharesRawValues(new odm.Schema({ items: [new odm.Schema({ payload: odm.Schema.Types.Mixed })] }))).toBe(true);
    expect(sharesRawValues(new odm.Schema({ settings: { type: Map, of: odm.Schema.Types.Mixed } }))).toBe(true);
    expect(sharesRawValues(new odm.Schema({ name: String }, { strict: false }))).toBe(true);
  });

  it('names the top-level fields a save writes, none when nothing changed', () => {
    const contact = Contact.hydrate(raw());
    expect(modifiedTopLevelFields(contact)).toEqual([]);
    contact.set({ name: 'Ada', address: { city: 'Paris', country: 'GB' } });
    contact.get('tags').push('renewal');
    expect(modifiedTopLevelFields(contact).sort()).toEqual(['address', 'tags']);
  });

  it('gives before and after of only those fields, the after as plain values', () => {
    const loaded = raw();
    const contact = Contact.hydrate(loaded);
    contact.set('address.city', 'Paris');
    contact.get('activity').push({ kind: 'email' });
    const { before, after } = savedFields(contact, loaded, modifiedTopLevelFields(contact));
    expect(before).toEqual({ address: loaded.address, activity: loaded.activity });
    expect(after).toEqual({ _id: loaded._id, address: { city: 'Paris', country: 'GB' }, activity: [{ _id: loaded.activity[0]!._id, kind: 'call' }, { _id: expect.anything(), kind: 'email' }] });
    expect(after.activity).not.toHaveProperty('$__');
  });

  it('leaves out the before-value of a Date changed in place, which the driver reply shared', () => {
    const loaded = raw();
    const contact = Contact.hydrate(loaded);
    (contact.get('dueAt') as Date).setUTCFullYear(2027);
    contact.markModified('dueAt');
    const { before, after } = savedFields(contact, loaded, modifiedTopLevelFields(contact));
    expect(before).toEqual({});
    expect(after.dueAt).toEqual(new Date('2027-06-01T00:00:00Z'));
  });
});
