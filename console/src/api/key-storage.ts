const KEY_ITEM = 'nimbus.console.key';

/** The key lives for the tab's session only: closing the tab signs out. */
export const keyStorage = {
  read(): string | null {
    return sessionStorage.getItem(KEY_ITEM);
  },
  write(key: string): void {
    sessionStorage.setItem(KEY_ITEM, key);
  },
  clear(): void {
    sessionStorage.removeItem(KEY_ITEM);
  },
};
