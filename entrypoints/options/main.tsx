import { render } from 'preact';
import { Dashboard } from '../../components/Dashboard';
import { createNodeModel } from '../../components/node-model';
import { createViewClient } from '../../components/view-client';
import '../../assets/meshdeck.css';

const client = createViewClient();
const model = createNodeModel(client);

const app = document.getElementById('app');
if (app) render(<Dashboard model={model} />, app);

addEventListener('pagehide', () => {
  model.dispose();
  client.close();
});
