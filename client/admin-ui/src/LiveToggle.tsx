/** "Live" / "Paused · n new": pausing holds new events (the stream stays open), resuming shows them. */
export function LiveToggle({ paused, onToggle, held, status }: { paused: boolean; onToggle: () => void; held: number; status: string }) {
  const connected = status === 'pending';
  const label = paused ? (held > 0 ? `Paused · ${held} new` : 'Paused') : connected ? 'Live' : 'Connecting…';
  return (
    <button type="button" className={`live-toggle${paused ? ' live-paused' : connected ? ' live-on' : ''}`} aria-pressed={!paused} onClick={onToggle} title={paused ? 'Resume live updates' : 'Pause live updates'}>
      <span className="live-dot" aria-hidden="true" />
      <span>{label}</span>
      <span className="visually-hidden">{paused ? ', press to resume live updates' : ', press to pause live updates'}</span>
    </button>
  );
}
