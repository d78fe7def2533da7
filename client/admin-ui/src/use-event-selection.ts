import { useCallback, useRef, useState } from 'react';
import type { AuditEventView } from './trpc';

/** The event whose detail panel is open; closing it puts the focus back on its row, for keyboard users. */
export function useEventSelection() {
  const [selected, setSelected] = useState<AuditEventView | null>(null);
  const openedRow = useRef<string | null>(null);
  const open = useCallback((event: AuditEventView) => {
    openedRow.current = event.id;
    setSelected(event);
  }, []);
  const close = useCallback(() => {
    setSelected(null);
    const id = openedRow.current;
    if (id) requestAnimationFrame(() => document.querySelector<HTMLElement>(`tr[data-event-id="${id}"]`)?.focus());
  }, []);
  return { selected, open, close };
}
