import { createBrowserRouter, Navigate } from 'react-router';
import { Layout } from './components/Layout';
import { CategoriesPage } from './pages/Categories';
import { CustomerPage } from './pages/CustomerPage';
import { CustomersPage } from './pages/Customers';
import { DashboardPage } from './pages/Dashboard';
import { LoginPage } from './pages/Login';
import { NewProductPage } from './pages/NewProduct';
import { OffersPage } from './pages/Offers';
import { OrderPage } from './pages/OrderPage';
import { OrdersPage } from './pages/Orders';
import { ProductPage } from './pages/ProductPage';
import { ProductsPage } from './pages/Products';
import { WebhookPage } from './pages/WebhookPage';
import { WebhooksPage } from './pages/Webhooks';

export const router = createBrowserRouter(
  [
    { path: '/login', element: <LoginPage /> },
    {
      element: <Layout />,
      children: [
        { index: true, element: <DashboardPage /> },
        { path: 'orders', element: <OrdersPage /> },
        { path: 'orders/:id', element: <OrderPage /> },
        { path: 'products', element: <ProductsPage /> },
        { path: 'products/new', element: <NewProductPage /> },
        { path: 'products/:id', element: <ProductPage /> },
        { path: 'categories', element: <CategoriesPage /> },
        { path: 'offers', element: <OffersPage /> },
        { path: 'customers', element: <CustomersPage /> },
        { path: 'customers/:id', element: <CustomerPage /> },
        { path: 'webhooks', element: <WebhooksPage /> },
        { path: 'webhooks/:id', element: <WebhookPage /> },
        { path: '*', element: <Navigate to="/" replace /> },
      ],
    },
  ],
  { basename: '/admin' },
);
