import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { audited, commentCreatedEvent } from '../../../plugins';
import type { CrmContext } from '../context';
import { ZObjectId } from '../crm.schemas';
import { authedProcedure, router } from '../trpc';

const ZAddCommentInput = z.object({ discussionId: ZObjectId, body: z.string().trim().min(1).max(10_000) });

/**
 * Adding a comment is marked as audited with the tRPC middleware: the event comes from the input
 * (the discussion) and the result (the comment id); a failed call is recorded with its error code.
 */
const auditedComment = audited<z.infer<typeof ZAddCommentInput>, { id: string; discussionTitle: string }, CrmContext>((ctx) => ctx.auditLog, {
  event: ({ input, result }) =>
    commentCreatedEvent({ discussion: { type: 'discussion', id: input.discussionId, name: result?.discussionTitle }, commentId: result?.id }),
});

export const discussionsRouter = router({
  create: authedProcedure
    .input(z.object({ title: z.string().trim().min(1).max(300), about: z.object({ type: z.enum(['contact', 'company', 'opportunity']), id: ZObjectId }).optional() }))
    .mutation(async ({ ctx, input }) => (await ctx.discussions.create(ctx.tenantId, input)).toObject()),

  get: authedProcedure.input(z.object({ id: ZObjectId })).query(async ({ ctx, input }) => {
    const discussion = await ctx.discussions.findById(ctx.tenantId, input.id);
    if (!discussion) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such discussion' });
    return { ...discussion, comments: await ctx.discussions.listComments(ctx.tenantId, input.id) };
  }),

  addComment: authedProcedure
    .input(ZAddCommentInput)
    .use(auditedComment)
    .mutation(async ({ ctx, input }) => {
      const discussion = await ctx.discussions.findById(ctx.tenantId, input.discussionId);
      if (!discussion) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such discussion' });
      const comment = await ctx.discussions.addComment(ctx.tenantId, { discussionId: discussion._id, authorId: ctx.user.id, authorName: ctx.user.name, body: input.body });
      return { id: String(comment._id), discussionTitle: discussion.title };
    }),
});
