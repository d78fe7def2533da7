import { Schema, type Connection, type Types } from 'mongoose';
import type { AuditLog } from '../../../plugins';

export interface DiscussionDocument {
  tenantId: string;
  title: string;
  about?: { type: string; id: string };
}

/** Comments are recorded as `comment.created` by the tRPC middleware, not by the plugin. */
export interface CommentDocument {
  tenantId: string;
  discussionId: Types.ObjectId;
  authorId: string;
  authorName: string;
  body: string;
}

export function registerDiscussionModels(connection: Connection, auditLog: AuditLog | null) {
  const discussionSchema = new Schema<DiscussionDocument>(
    { tenantId: { type: String, required: true, index: true }, title: { type: String, required: true }, about: { type: { type: String }, id: String } },
    { collection: 'discussions', timestamps: true },
  );
  if (auditLog) discussionSchema.plugin(auditLog.plugin, { subjectType: 'discussion', ignore: ['tenantId'] });
  const commentSchema = new Schema<CommentDocument>(
    { tenantId: { type: String, required: true }, discussionId: { type: Schema.Types.ObjectId, required: true, index: true }, authorId: String, authorName: String, body: { type: String, required: true } },
    { collection: 'comments', timestamps: true },
  );
  return {
    discussions: connection.model<DiscussionDocument>('Discussion', discussionSchema),
    comments: connection.model<CommentDocument>('Comment', commentSchema),
  };
}
