/** One pending "Undo" offer at a time, shown at the bottom of a workspace for a few seconds. */
import './workspace.css';
import { useEffect } from 'preact/hooks';

export interface UndoOffer {
  id: number;
  text: string;
  undo: () => void;
}

export function UndoToast({ offer, onClose }: { offer: UndoOffer | null; onClose: () => void }) {
  useEffect(() => {
    if (!offer) return;
    const t = setTimeout(onClose, 8000);
    return () => clearTimeout(t);
  }, [offer?.id]);
  return (
    <div class="undo-toast-slot" role="status" aria-live="polite">
      {offer && (
        <div class="toast undo-toast">
          <span>{offer.text}</span>
          <button
            type="button"
            onClick={() => {
              offer.undo();
              onClose();
            }}
          >
            Undo
          </button>
        </div>
      )}
    </div>
  );
}
