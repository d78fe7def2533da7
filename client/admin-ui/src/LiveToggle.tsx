/**
 * "Live" / "Paused · n new": pausing holds new events (the stream stays open), resuming shows them.
 * `problem` (a dropped stream reconnecting, or stopped) is said beside it in words.
 */
export function LiveToggle({ paused, onToggle, held, status, problem }: { paused: boolean; onToggle: () => void; held: number; status: string; problem?: string }) {
  const connected = status === 'pending';
  const label = paused ? (held > 0 ? `Paused · ${held} new` : 'Paused') : connected ? 'Live' : 'Connecting…';
  return (
    <>
      {problem && (
        <span className="live-problem" role="status" data-testid="live-problem">
          {problem}
        </span>
      )}
      <LiveButton paused={paused} connected={connected} label={label} onToggle={onToggle} />
    </>
  );
}

function LiveButton({ paused, connected, label, onToggle }: { paused: boolean; connected: boolean; label: string; onToggle: () => void }) {
  return (
    <button type="button" className={`live-toggle${paused ? ' live-paused' : connected ? ' live-on' : ''}`} aria-pressed={!paused} onClick={onToggle} title={paused ? 'Resume live updates' : 'Pause live updates'}>
      <span className="live-dot" aria-hidden="true" />
      <span>{label}</span>
      <span className="visually-hidden">{paused ? ', press to resume live updates' : ', press to pause live updates'}</span>
    </button>
  );
}
