// Arranging test data through the node's public API (as an admin or buyer would): log in, products,
// sales starting a few seconds from now, buyers and their purchases. The browser does the rest.

export function apiClient(baseUrl) {
  /** Answers {status, json} whatever the status (to check a refusal's code). */
  async function attempt(method, path, { token, body, headers = {} } = {}) {
    const response = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, text, json: text ? JSON.parse(text) : null };
  }

  /** Like attempt, but only a 2xx: anything else throws with the answer. */
  async function call(method, path, options = {}) {
    const answer = await attempt(method, path, options);
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`${method} ${path} answered ${answer.status}: ${answer.text}`);
    }
    return answer.json;
  }

  return {
    call,
    attempt,
    async login(email, password) {
      return (await call('POST', '/api/auth/login', { body: { email, password } })).token;
    },
    async register(email, name = 'Test buyer', password = 'password-123') {
      return (await call('POST', '/api/auth/register', { body: { email, password, name } })).token;
    },
    async createProduct(adminToken, product) {
      return call('POST', '/api/admin/products', { token: adminToken, body: product });
    },
    /**
     * A sale of productId starting in startsInMs and ending an hour later; waitingRoom (optional) opens a
     * waiting room with those terms (docs/api.md, POST /api/admin/sales).
     */
    async createSale(adminToken, productId, { stock, startsInMs, perUserLimit = 1, holdSeconds = 300, price,
      waitingRoom } = {}) {
      const startsAt = new Date(Date.now() + startsInMs);
      const body = {
        productId, stock, perUserLimit, holdSeconds,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3600 * 1000).toISOString(),
      };
      if (price) body.price = price;
      if (waitingRoom) body.waitingRoom = waitingRoom;
      return call('POST', '/api/admin/sales', { token: adminToken, body });
    },
    async changeSale(adminToken, saleId, body) {
      return call('PATCH', `/api/admin/sales/${saleId}`, { token: adminToken, body });
    },
    async sale(saleId) {
      return call('GET', `/api/sales/${saleId}`);
    },
    async purchase(token, saleId) {
      return call('POST', `/api/sales/${saleId}/purchase`, { token, body: { quantity: 1 } });
    },
    async cancel(token, orderId) {
      return call('DELETE', `/api/orders/${encodeURIComponent(orderId)}`, { token });
    },
    async stats(adminToken, saleId) {
      return call('GET', `/api/admin/sales/${saleId}/stats`, { token: adminToken });
    },
  };
}
