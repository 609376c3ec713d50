import { z } from 'zod';
import { adminRoute } from '../admin-route.js';
import { keyScope } from './keys.js';

export const sessionRoutes = {
  whoami: adminRoute({
    method: 'GET', path: '/whoami', summary: 'The scope of the key sent: any valid key may ask (the console signs in with it)',
    response: z.object({ scope: keyScope }),
  }),
};
