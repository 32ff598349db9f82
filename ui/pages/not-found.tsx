import { Layout } from '../parts/layout.js';
import { Link } from '../router.js';

export function NotFoundPage() {
  return (
    <Layout title="Not found">
      <p>
        No page here. Back to the <Link to="/">overview</Link>.
      </p>
    </Layout>
  );
}
