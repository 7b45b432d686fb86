import { Injectable, Module } from '@nestjs/common';
import type { TopicRefs } from './subscription-input';
import { KnownTopics, SubscriptionsRepository, TopicRow } from './subscriptions.repository';
import { topicRows } from './subscriptions.service';

export type { TopicRow };

/**
 * Topic names (country codes, sector slugs, pairs, workstream slugs) → stored topic rows, or a 422
 * naming every unknown one: the same rules for a subscriber's topics and a webhook endpoint's.
 */
@Injectable()
export class TopicResolver {
  constructor(private readonly repository: SubscriptionsRepository) {}

  async resolve(topics: TopicRefs): Promise<TopicRow[]> {
    const known: KnownTopics = await this.repository.knownTopics(topics);
    return topicRows(topics, known);
  }
}

@Module({
  providers: [SubscriptionsRepository, TopicResolver],
  exports: [TopicResolver],
})
export class TopicResolverModule {}
