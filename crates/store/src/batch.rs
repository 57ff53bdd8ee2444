//! Group commit for the backends: many callers' small writes done together, in one
//! transaction with one commit.
//!
//! A durable commit waits for the disk (an fsync of SQLite's WAL; in PostgreSQL a WAL flush,
//! with the governance events' lock held through it), and every statement is a round trip to
//! a connection's thread or server process. Ballots arrive hundreds a second, each a few rows:
//! one transaction and one commit apiece would spend most of the machine on commits and
//! context switches. So callers queue their job and take turns (first come, first served);
//! whoever's turn comes with their job still queued takes every job queued, up to a limit,
//! and runs them together on a task of its own — a caller that goes away mid-way cancels
//! nothing that others wait for. Each caller gets its own job's result, and only once the
//! batch has committed. A job whose caller went away before it was taken is dropped unrun
//! (the caller was never answered, so it will send again if it still cares).

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;
use tokio::sync::oneshot::error::TryRecvError;

use crate::{StoreError, StoreResult};

struct Queued<J, R> {
    job: J,
    reply: oneshot::Sender<StoreResult<R>>,
}

/// A queue of jobs of type `J`, each answered with a `StoreResult<R>`.
pub struct Batcher<J, R> {
    queue: Mutex<Vec<Queued<J, R>>>,
    turn: Arc<tokio::sync::Mutex<()>>,
    max: usize,
}

impl<J, R> std::fmt::Debug for Batcher<J, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").field("max", &self.max).finish()
    }
}

impl<J: Send + 'static, R: Send + 'static> Batcher<J, R> {
    /// A batcher that runs at most `max` jobs together.
    pub fn new(max: usize) -> Self {
        Batcher {
            queue: Mutex::new(Vec::new()),
            turn: Arc::new(tokio::sync::Mutex::new(())),
            max: max.max(1),
        }
    }

    /// Queues `job` and returns its result once the batch it went in has finished. `work`
    /// runs a batch: it must return one result per job, in order (a missing result answers
    /// `Unavailable`). It runs on a spawned task, so it needs a Tokio runtime.
    pub async fn run<F, Fut>(&self, job: J, work: F) -> StoreResult<R>
    where
        F: Fn(Vec<J>) -> Fut,
        Fut: Future<Output = Vec<StoreResult<R>>> + Send + 'static,
    {
        let (reply, mut answer) = oneshot::channel();
        self.lock_queue().push(Queued { job, reply });
        loop {
            let turn = self.turn.clone().lock_owned().await;
            match answer.try_recv() {
                Ok(result) => return result,
                Err(TryRecvError::Closed) => {
                    return Err(StoreError::Unavailable(
                        "the batch carrying this write stopped before it finished; send it again"
                            .into(),
                    ));
                }
                Err(TryRecvError::Empty) => {}
            }
            let taken: Vec<Queued<J, R>> = {
                let mut queue = self.lock_queue();
                let n = queue.len().min(self.max);
                queue.drain(..n).collect()
            };
            let (jobs, replies): (Vec<J>, Vec<_>) = taken
                .into_iter()
                .filter(|q| !q.reply.is_closed())
                .map(|q| (q.job, q.reply))
                .unzip();
            if jobs.is_empty() {
                // Our job is queued behind `max` others whose callers all went away.
                continue;
            }
            let batch = work(jobs);
            tokio::spawn(async move {
                let results = batch.await;
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
                // The next turn begins only once every reply of this batch is sent.
                drop(turn);
            });
        }
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Vec<Queued<J, R>>> {
        // A panic elsewhere while holding the lock leaves the Vec whole; carry on.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn callers_waiting_together_share_a_batch_and_each_gets_their_own_result() {
        let batcher = Batcher::<u32, u32>::new(8);
        let batches = Arc::new(Mutex::new(Vec::new()));
        let work = |jobs: Vec<u32>| {
            let batches = batches.clone();
            async move {
                batches.lock().unwrap().push(jobs.clone());
                tokio::task::yield_now().await;
                jobs.into_iter()
                    .map(|j| {
                        if j == 3 {
                            Err(StoreError::NotFound("three"))
                        } else {
                            Ok(j * 10)
                        }
                    })
                    .collect()
            }
        };
        let (a, b, c, d, e) = tokio::join!(
            batcher.run(1, work),
            batcher.run(2, work),
            batcher.run(3, work),
            batcher.run(4, work),
            batcher.run(5, work),
        );
        assert_eq!(
            (a.unwrap(), b.unwrap(), d.unwrap(), e.unwrap()),
            (10, 20, 40, 50)
        );
        assert!(matches!(c, Err(StoreError::NotFound("three"))));
        // The first ran alone (nobody else had queued yet); the rest went together.
        assert_eq!(*batches.lock().unwrap(), vec![vec![1], vec![2, 3, 4, 5]]);
    }

    #[tokio::test]
    async fn batches_keep_to_their_limit() {
        let batcher = Batcher::<u32, u32>::new(2);
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let work = |jobs: Vec<u32>| {
            let sizes = sizes.clone();
            async move {
                sizes.lock().unwrap().push(jobs.len());
                jobs.into_iter().map(Ok).collect()
            }
        };
        let r = tokio::join!(
            batcher.run(1, work),
            batcher.run(2, work),
            batcher.run(3, work),
            batcher.run(4, work),
            batcher.run(5, work),
        );
        assert_eq!(
            (
                r.0.unwrap(),
                r.1.unwrap(),
                r.2.unwrap(),
                r.3.unwrap(),
                r.4.unwrap()
            ),
            (1, 2, 3, 4, 5)
        );
        assert!(sizes.lock().unwrap().iter().all(|n| *n <= 2));
        assert_eq!(sizes.lock().unwrap().iter().sum::<usize>(), 5);
    }

    #[tokio::test]
    async fn a_batch_that_stops_answers_unavailable_and_the_next_one_runs() {
        let batcher = Batcher::<u32, u32>::new(8);
        let ran = AtomicUsize::new(0);
        let short = |jobs: Vec<u32>| {
            ran.fetch_add(1, Ordering::Relaxed);
            // One result for two jobs: the second caller is told to send again.
            async move { jobs.into_iter().take(1).map(Ok).collect() }
        };
        let (a, b, c) = tokio::join!(
            batcher.run(1, short),
            batcher.run(2, short),
            batcher.run(3, short),
        );
        assert_eq!(a.unwrap(), 1);
        assert_eq!(b.unwrap(), 2);
        assert!(matches!(c, Err(StoreError::Unavailable(_))), "{c:?}");
        assert_eq!(ran.load(Ordering::Relaxed), 2);
        assert_eq!(batcher.run(4, short).await.unwrap(), 4);
    }

    #[tokio::test]
    async fn a_job_whose_caller_went_away_is_not_run() {
        let batcher = Batcher::<u32, u32>::new(8);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let work = |jobs: Vec<u32>| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().extend(jobs.iter().copied());
                tokio::task::yield_now().await;
                jobs.into_iter().map(Ok).collect()
            }
        };
        // The first job holds the turn while the second is queued and then abandoned.
        let mut first = Box::pin(batcher.run(1, work));
        let mut second = Box::pin(batcher.run(2, work));
        let mut third = Box::pin(batcher.run(3, work));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(first.as_mut().poll(&mut cx).is_pending());
        assert!(second.as_mut().poll(&mut cx).is_pending());
        assert!(third.as_mut().poll(&mut cx).is_pending());
        drop(second);
        let (a, c) = tokio::join!(first, third);
        assert_eq!((a.unwrap(), c.unwrap()), (1, 3));
        assert_eq!(*seen.lock().unwrap(), vec![1, 3]);
    }
}
