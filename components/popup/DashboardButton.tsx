interface DashboardButtonProps {
  /** Opens the Node Dashboard, or focuses it when it is already open (runtime.openOptionsPage). */
  onOpen: () => void;
}

export function DashboardButton({ onOpen }: DashboardButtonProps) {
  return (
    <button type="button" class="button button-primary" onClick={onOpen}>
      View Node Dashboard
    </button>
  );
}
