import type { ReactNode } from 'react';

/** Designed states: nothing in this UI is ever just blank. */

export function FullPageMessage(props: {
  title: string;
  detail?: string;
  tone?: 'neutral' | 'warning' | 'error';
  busy?: boolean;
  action?: { label: string; onClick: () => void };
  extra?: ReactNode;
}) {
  return (
    <main className={`full-page tone-${props.tone ?? 'neutral'}`} aria-busy={props.busy || undefined}>
      <div className="full-page-card" role={props.tone === 'error' ? 'alert' : undefined}>
        {props.busy && <span className="spinner" aria-hidden="true" />}
        <h1>{props.title}</h1>
        {props.detail && <p>{props.detail}</p>}
        {props.action && (
          <button type="button" className="button" onClick={props.action.onClick}>
            {props.action.label}
          </button>
        )}
        {props.extra}
      </div>
    </main>
  );
}

export function InlineState(props: { kind: 'empty' | 'loading' | 'error'; title: string; detail?: string; action?: { label: string; onClick: () => void } }) {
  return (
    <div className={`inline-state inline-state-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'} aria-live="polite">
      {props.kind === 'loading' && <span className="spinner" aria-hidden="true" />}
      <p className="inline-state-title">{props.title}</p>
      {props.detail && <p className="inline-state-detail">{props.detail}</p>}
      {props.action && (
        <button type="button" className="button button-secondary" onClick={props.action.onClick}>
          {props.action.label}
        </button>
      )}
    </div>
  );
}
