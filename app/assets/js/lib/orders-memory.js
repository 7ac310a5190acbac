// The orders this tab made recently (ids, by sale), in sessionStorage. My orders reads the read model,
// which trails purchases by under a second; remembering the ids lets the storefront read those orders
// straight from GET /api/orders/{id} (exact on any node) until the list has them.

const KEY = 'flashsale.store.recentOrders';
const KEEP = 20;

export function rememberOrder(order) {
  const recent = recentOrders().filter((o) => o.id !== order.id);
  recent.unshift({ id: order.id, saleId: order.saleId });
  sessionStorage.setItem(KEY, JSON.stringify(recent.slice(0, KEEP)));
}

export function recentOrders() {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) || '[]');
    return Array.isArray(value) ? value : [];
  } catch (ignored) {
    return [];
  }
}

export function forgetOrders() {
  sessionStorage.removeItem(KEY);
}
