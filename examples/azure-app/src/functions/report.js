import { app, output } from '@azure/functions';

const report = output.storageBlob({ path: 'reports/{rand-guid}.json', connection: 'AzureWebJobsStorage' });

app.timer('nightlyReport', {
  schedule: '0 30 2 * * *',
  extraOutputs: [report],
  handler: async (myTimer, context) => {
    if (myTimer.isPastDue) context.warn('the timer is running late');
    context.extraOutputs.set(report, { functionName: context.functionName, timer: myTimer });
  },
});
