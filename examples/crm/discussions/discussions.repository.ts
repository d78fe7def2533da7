import type { Model } from 'mongoose';
import type { CommentDocument, DiscussionDocument } from './discussion.models';

export function createDiscussionsRepository(discussions: Model<DiscussionDocument>, comments: Model<CommentDocument>) {
  return {
    create: (tenantId: string, fields: Omit<DiscussionDocument, 'tenantId'>) => discussions.create({ ...fields, tenantId }),
    findById: (tenantId: string, id: string) => discussions.findOne({ _id: id, tenantId }).lean(),
    listComments: (tenantId: string, discussionId: string) => comments.find({ tenantId, discussionId }).sort({ createdAt: 1 }).lean(),
    addComment: (tenantId: string, fields: Omit<CommentDocument, 'tenantId'>) => comments.create({ ...fields, tenantId }),
  };
}

export type DiscussionsRepository = ReturnType<typeof createDiscussionsRepository>;
