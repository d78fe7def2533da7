import type { Connection, Model } from 'mongoose';
import type express from 'express';
import { clientOf, loadMongoose, openConnection, requireFrom } from '../peers/peer-runtime';
import { NO_CAPTURE, type InstalledCapture } from './capture';
import { monitorCommands, type CommandMonitor } from './command-log';
import { contactModel, contactSchema } from './contact-model';
import { createCrmHostApp } from './crm-host-app';
import type { HostVariant } from './host-variants';

export interface CrmHost {
  variant: HostVariant;
  app: express.Express;
  connection: Connection;
  Contact: Model<any>;
  mongooseVersion: string;
  capture: InstalledCapture;
  /** Present when opened with `monitorCommands`: every command the host's connection sends. */
  commands?: CommandMonitor;
  close(): Promise<void>;
}

/**
 * The bench host for one variant, on its own mongoose and connection: the schema, then the
 * variant's plugin on it (before the model is compiled, as every plugin needs), then the app.
 * The bench's host processes and the command-count test both open hosts through here.
 */
export async function openCrmHost(variant: HostVariant, options: { uri: string; dbName: string; monitorCommands?: boolean }): Promise<CrmHost> {
  const host = loadMongoose(variant.folder);
  const connection = await openConnection(host, options.uri, options.dbName, options.monitorCommands);
  const commands = options.monitorCommands ? monitorCommands(clientOf(connection)) : undefined;
  const schema = contactSchema(host.mongoose);
  const load = requireFrom(variant.folder);
  const capture = variant.capture ? variant.capture.install({ mongoose: host.mongoose, connection, schema, requireModule: (name) => load(name) }) : NO_CAPTURE;
  const Contact = contactModel(connection, schema);
  // Its indexes are built before the first request, so no count of a request's commands sees them.
  await Contact.init();
  const app = createCrmHostApp({ Contact, mongooseMajor: host.major, requestContext: capture.requestContext });
  return {
    variant,
    app,
    connection,
    Contact,
    mongooseVersion: host.mongoose.version,
    capture,
    commands,
    async close() {
      await capture.close();
      await connection.close();
    },
  };
}
